// cli/register.js registers loaders as a side effect; it exports nothing.
export {};

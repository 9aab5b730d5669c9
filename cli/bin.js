#!/usr/bin/env node
// The `tilekit` command. Plain JS so that bare node runs it: register the loaders, then run the TypeScript CLI.
import './register.js';

const { main } = await import('./main.ts');
await main(process.argv);

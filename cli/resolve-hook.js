// Node module resolve hook, registered by cli/load.ts with `module.register`. It does two things so that a kernel
// file anywhere on disk loads like a file of this package:
//   1. maps the bare specifier `tilekit` (and `tilekit/<path>`) to this repository's files, so the user's
//      `import { kernel, nl } from 'tilekit'` gets the very modules the CLI runs with;
//   2. loads `.ts` files that sit outside any package declaring a module type (e.g. a kernel file in a folder
//      of its own, and the .ts files it imports) as ES modules; Node and tsx would take them for CommonJS.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root as a file URL with a trailing slash; set by `initialize`. */
let root;

export function initialize(data) {
  root = data.root;
}

function isFile(url) {
  const path = fileURLToPath(url);
  return existsSync(path) && statSync(path).isFile();
}

/** `tilekit/dsl/nl` -> dsl/nl, dsl/nl.ts, dsl/nl.js or dsl/nl/index.ts, whichever exists. */
function subpath(rest) {
  for (const candidate of [rest, `${rest}.ts`, `${rest}.js`, `${rest}/index.ts`]) {
    const url = new URL(candidate, root);
    if (isFile(url)) return url.href;
  }
  return undefined;
}

const typeOfDir = new Map();

/** The `type` field of the nearest package.json above `dir` ('module', 'commonjs' or undefined). */
function packageType(dir) {
  if (typeOfDir.has(dir)) return typeOfDir.get(dir);
  let type;
  const pkg = join(dir, 'package.json');
  if (existsSync(pkg)) {
    try {
      type = JSON.parse(readFileSync(pkg, 'utf8')).type ?? null;
    } catch {
      type = null;
    }
  } else {
    const parent = dirname(dir);
    type = parent === dir ? null : packageType(parent);
  }
  typeOfDir.set(dir, type);
  return type;
}

/** A relative, absolute or file: specifier naming a `.ts` file (also written `.js` or without extension). */
function localTsFile(specifier, parentURL) {
  if (!/^(\.\.?\/|\/|file:)/.test(specifier) || (parentURL === undefined && !specifier.startsWith('file:'))) {
    return undefined;
  }
  let base;
  try {
    base = new URL(specifier, parentURL);
  } catch {
    return undefined;
  }
  if (base.protocol !== 'file:' || base.search || base.hash) return undefined;
  const candidates = base.pathname.endsWith('.ts')
    ? [base]
    : base.pathname.endsWith('.js')
      ? [new URL(base.href.replace(/\.js$/, '.ts'))]
      : [new URL(`${base.href}.ts`)];
  return candidates.find(isFile)?.href;
}

/** A `.ts` file outside node_modules whose nearest package.json does not say which module type it is. */
function isUntypedTsFile(url) {
  if (!url.startsWith('file:') || url.includes('/node_modules/')) return false;
  const path = fileURLToPath(url);
  return path.endsWith('.ts') && packageType(dirname(path)) == null;
}

export async function resolve(specifier, context, nextResolve) {
  if (root !== undefined) {
    // The repository is `"type": "module"`: its .ts and .js files are ES modules.
    if (specifier === 'tilekit') {
      return { url: new URL('index.ts', root).href, format: 'module', shortCircuit: true };
    }
    if (specifier.startsWith('tilekit/')) {
      const url = subpath(specifier.slice('tilekit/'.length));
      if (url) return { url, format: /\.[jt]s$/.test(url) ? 'module' : undefined, shortCircuit: true };
    }
  }
  // Node (and tsx) would take an untyped .ts file for CommonJS; a kernel file is an ES module.
  const local = localTsFile(specifier, context.parentURL);
  if (local && isUntypedTsFile(local)) return { url: local, format: 'module', shortCircuit: true };
  return nextResolve(specifier, context);
}

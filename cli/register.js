// Registers the two loaders a tilekit kernel file needs, once per process:
//   - tsx, which compiles TypeScript on import (skipped when the process already runs under tsx);
//   - resolve-hook.js, which maps `import ... from 'tilekit'` to this repository from any folder.
// cli/bin.js and cli/load.ts import it; a script of your own that imports 'tilekit' can run with
//   node --import /path/to/tilekit/cli/register.js my_script.ts
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

const TSX = Symbol.for('tilekit.tsxRegistered');
const HOOK = Symbol.for('tilekit.resolveHookRegistered');

if (!globalThis[TSX]) {
  if (!process.execArgv.some((a) => /\btsx\b/.test(a))) registerTsx();
  globalThis[TSX] = true;
}
if (!globalThis[HOOK]) {
  register('./resolve-hook.js', import.meta.url, { data: { root: new URL('../', import.meta.url).href } });
  globalThis[HOOK] = true;
}

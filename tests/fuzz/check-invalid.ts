/** The invalid-kernel property: a KernelError located in the user's code (or success), never anything else. */
import { compile, type ErrorCode, getChip, KernelError, randomInputs, simulate } from '../../index.ts';
import { buildInvalid, type Fault, type InvalidSpec } from './invalid.ts';

const USER = /tests\/fuzz\/(invalid|valid)\.ts$/;
const INTERNAL = /(?:^|\/)(ir|dsl|tracer|codegen|simulator|cli|graph)\/[\w/.-]+\.ts/;

/** Faults that pass values of the wrong JavaScript type (what only untyped callers can do). */
export const UNTYPED_FAULTS: ReadonlySet<Fault> = new Set([
  'sliceJunk',
  'reshapeJunk',
  'dtypeJunk',
  'engineJunk',
  'loopJunk',
  'gridJunk',
  'returnJunk',
  'apiJunk',
]);

/**
 * Internal errors the fuzzer found that are still open: DSL functions that crash with a TypeError, instead of a
 * located KernelError, when an untyped caller passes a value of the wrong type. Matched on the first tilekit frame
 * of the stack; tolerated for untyped faults only (`npm run fuzz -- --strict` reports them as failures).
 */
export const KNOWN_BUGS: readonly { readonly id: string; readonly site: RegExp; readonly what: string }[] = [
  {
    id: 'binary-operand',
    site: /dsl\/nl\/operand\.ts|ir\/dtypes\/promote\.ts/,
    what: 'nl.add/multiply/... with an operand that is neither a tensor nor a number: resultDType reads .dtype before tensorArg checks it',
  },
  {
    id: 'reshape-shape',
    site: /dsl\/indexing\.ts/,
    what: 'Tensor.reshape with a shape that is not an array (reshapeView calls newShape.every)',
  },
  {
    id: 'symbol-in-message',
    site: /dsl\/loops\.ts|tracer\/record\.ts|dsl\/nl\/create\.ts/,
    what: 'a Symbol as a loop bound, an engine or an identity size: the error message template throws converting it',
  },
  {
    id: 'axis-not-iterable',
    site: /dsl\/nisa\.ts|dsl\/nl\/axes\.ts/,
    what: 'a reduction axis that is neither a number nor an array ([...axis] throws)',
  },
  {
    id: 'shuffle-mask',
    site: /dsl\/nisa\/gather\.ts/,
    what: 'ncStreamShuffle with a mask that is not an array',
  },
  {
    id: 'activation-reduce-options',
    site: /dsl\/nisa\/compute\.ts/,
    what: 'nisa.activationReduce without its options object (opts.scale read unchecked)',
  },
  {
    id: 'broadcast-shape',
    site: /dsl\/nl\/broadcast\.ts/,
    what: 'nl.broadcastTo with a shape that is not an array',
  },
  {
    id: 'tensor-as-attribute',
    site: /TK0401/,
    what: 'a tensor where an op attribute takes a number (e.g. nisa.affineSelect onFalseValue) passes the trace-time check; the simulator then converts it and throws TK0401 at the simulate() call instead of the kernel line',
  },
];

/** A TK0401 raised while simulating (a tensor stored as an attribute), located at the host's simulate() call. */
function isTensorAttribute(e: KernelError): boolean {
  return e.code === 'TK0401' && !!e.loc && /tests\/fuzz\/check-invalid\.ts$/.test(e.loc.file);
}

/** The known bug an internal error is, by its first tilekit frame. */
export function knownBug(e: unknown): string | undefined {
  if (!(e instanceof TypeError)) return undefined;
  const frame = (e.stack ?? '').split('\n').find((l) => INTERNAL.test(l)) ?? '';
  return KNOWN_BUGS.find((k) => k.site.test(frame))?.id;
}

/** Throw unless the diagnostic points at the fuzz kernel's source and shows no tilekit frame. */
export function assertLocated(e: KernelError, spec: unknown): void {
  const fail = (why: string) => {
    throw new Error(`${why}\n${e.format()}\nspec: ${JSON.stringify(spec)}`);
  };
  if (!e.loc || !USER.test(e.loc.file) || e.loc.line <= 0)
    fail(`${e.code} is not located in the kernel's source`);
  for (const n of e.notes)
    if (n.loc && INTERNAL.test(n.loc.file)) fail(`${e.code} has a note in tilekit's source`);
  if (INTERNAL.test(e.format())) fail(`${e.code} shows a tilekit source path`);
}

export type InvalidOutcome = 'ok' | ErrorCode | `known:${string}`;

/**
 * Trace, compile and simulate; the outcome (a code, 'ok', or a tolerated known bug). Throws on anything but a
 * located KernelError.
 */
export function checkInvalid(s: InvalidSpec, seed: number, strict = false): InvalidOutcome {
  try {
    const { kernel, inputs, maxMemoryBytes } = buildInvalid(s);
    const ir = kernel.trace(inputs);
    const program = compile(ir, getChip(seed % 3 === 0 ? 'trn2' : 'trn1'), { multiBuffer: 1 + (seed % 2) });
    const r = simulate(program, randomInputs(inputs, seed), { print: () => {}, maxMemoryBytes });
    for (const d of r.diagnostics) assertLocated(d, s);
    return r.diagnostics[0]?.code ?? 'ok';
  } catch (e) {
    if (!(e instanceof KernelError)) {
      const known = knownBug(e);
      if (known && !strict && UNTYPED_FAULTS.has(s.fault)) return `known:${known}`;
      const what = e instanceof Error ? (e.stack ?? e.message) : String(e);
      throw new Error(`not a KernelError: ${what}\nspec: ${JSON.stringify(s)}`);
    }
    if (!strict && UNTYPED_FAULTS.has(s.fault) && isTensorAttribute(e)) return 'known:tensor-as-attribute';
    assertLocated(e, s);
    return e.code;
  }
}

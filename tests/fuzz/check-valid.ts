/**
 * The valid-kernel property: compiled and simulated under each option, the outputs equal the IR interpretation.
 * Options: both chips, every allocation depth, and scheduling variants (chip overrides that change which engine or
 * queue runs ahead, and therefore the order instructions issue in, or squeeze the allocator).
 */
import { type ChipConfig, compile, getChip, randomInputs, simulate } from '../../index.ts';
import { withOverrides } from '../../simulator/chips/overrides.ts';
import { interpretIR } from './interpret.ts';
import { buildValid, type ValidSpec } from './valid.ts';

export interface RunConfig {
  readonly chip: 'trn1' | 'trn2';
  /** Allocation: rotating slots per loop site (1 = reuse at once, 2 = double buffering, 3 = triple). */
  readonly multiBuffer: number;
  /** Chip overrides (`withOverrides`): scheduling and capacity variants. */
  readonly overrides?: readonly string[];
}

export const RUN_CONFIGS: readonly RunConfig[] = [
  { chip: 'trn1', multiBuffer: 1 },
  { chip: 'trn1', multiBuffer: 2 },
  { chip: 'trn1', multiBuffer: 3 },
  { chip: 'trn2', multiBuffer: 1 },
  { chip: 'trn2', multiBuffer: 2 },
  // Two DMA queues: every load on one queue, every store on the other (queue order carries the dependencies).
  { chip: 'trn1', multiBuffer: 2, overrides: ['dma.queuesPerEngine=2'] },
  // Slow DMA, fast compute: compute engines run far ahead wherever the semaphores let them.
  {
    chip: 'trn1',
    multiBuffer: 2,
    overrides: ['dma.fixedCostNs=50000', 'vector.clockGHz=20', 'scalar.clockGHz=20'],
  },
  // Slow TensorE and GpSimd: the other engines overtake them.
  { chip: 'trn2', multiBuffer: 3, overrides: ['tensor.clockGHz=0.01', 'gpsimd.clockGHz=0.01'] },
  // A small SBUF and PSUM: multi-buffering falls back and tiles reuse each other's bytes.
  {
    chip: 'trn1',
    multiBuffer: 2,
    overrides: ['sbuf.bytesPerPartition=40KiB', 'sbuf.reservedBytesPerPartition=0', 'psum.banks=4'],
  },
];

const chips = new Map<string, ChipConfig>();

export function configChip(cfg: RunConfig): ChipConfig {
  const key = `${cfg.chip} ${cfg.overrides?.join(' ') ?? ''}`;
  let chip = chips.get(key);
  if (!chip)
    chips.set(
      key,
      (chip = cfg.overrides ? withOverrides(getChip(cfg.chip), cfg.overrides) : getChip(cfg.chip)),
    );
  return chip;
}

export function describeConfig(cfg: RunConfig): string {
  return `${cfg.chip} multiBuffer ${cfg.multiBuffer}${cfg.overrides ? ` [${cfg.overrides.join(', ')}]` : ''}`;
}

/** Throws (with what differs) unless every config gives the interpreter's bytes and no diagnostics. */
export function checkValid(spec: ValidSpec, configs: readonly RunConfig[], seed: number): void {
  const { kernel, inputs } = buildValid(spec);
  const ir = kernel.trace(inputs);
  const data = randomInputs(inputs, seed);
  const expected = interpretIR(ir, data);
  for (const cfg of configs) {
    const where = describeConfig(cfg);
    let program: ReturnType<typeof compile>;
    try {
      program = compile(ir, configChip(cfg), { multiBuffer: cfg.multiBuffer });
    } catch (e) {
      // Only the squeezed chip may run out of space.
      if (cfg.overrides?.some((o) => o.startsWith('sbuf.')) && /TK050[12]/.test(String(e))) continue;
      throw e;
    }
    const r = simulate(program, data, { print: () => {} });
    if (r.diagnostics.length) {
      throw new Error(
        `${where}: ${r.diagnostics.length} diagnostics on a valid kernel:\n${r.diagnostics[0].format()}`,
      );
    }
    r.outputBytes.forEach((bytes, k) => {
      const want = expected[k];
      const i = bytes.findIndex((x, j) => x !== want[j]);
      if (bytes.length !== want.length || i >= 0) {
        const b = ir.buffers[ir.outputs[k]];
        throw new Error(
          `${where}: output ${k} '${b.name}' [${b.shape}] ${b.dtype} differs from the IR interpretation at byte ${i} (got ${bytes[i]}, want ${want[i]})`,
        );
      }
    });
  }
}

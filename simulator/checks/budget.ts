import type { Program } from '../../codegen/program.ts';
import { DTYPES } from '../../ir/dtypes.ts';
import { KernelError } from '../../ir/errors.ts';
import { numel } from '../../ir/types.ts';
import { checkLimits, defaultLimits, fmtBytes } from '../../tracer/limits.ts';

/**
 * Before a functional simulation allocates the chip's memories: HBM tensors plus the SBUF and PSUM bytes in use must
 * fit the memory budget (default `defaultLimits().maxMemoryBytes`), else TK0416 at the largest HBM tensor's line
 * instead of the host running out of memory.
 */
export function checkMemoryBudget(
  program: Program,
  onChip: { readonly sbuf: number; readonly psum: number },
  budget: number = defaultLimits().maxMemoryBytes,
): void {
  checkLimits({ maxMemoryBytes: budget }, program.ir.loc);
  const chip = program.chip;
  const total = program.hbmBytes + onChip.sbuf * chip.sbuf.partitions + onChip.psum * chip.psum.partitions;
  if (total <= budget) return;
  const { ir } = program;
  const hbm = ir.buffers
    .filter((b) => b.space === 'hbm' && program.placements[b.id])
    .map((b) => ({ b, n: numel(b.shape) * DTYPES[b.dtype].bytes }))
    .sort((x, y) => y.n - x.n);
  const [first, ...rest] = hbm;
  const what = first
    ? `; the largest HBM tensor is '${first.b.name}' [${first.b.shape}] ${first.b.dtype} (${fmtBytes(first.n)})`
    : '';
  throw new KernelError(
    'TK0416',
    `kernel '${ir.name}' needs ${fmtBytes(total)} of simulated memory, over the memory budget of ${fmtBytes(budget)} (maxMemoryBytes)${what}; simulate smaller shapes, time it without values (timing-only mode), or raise the budget with simulate(..., { maxMemoryBytes }) or setDefaultLimits`,
    first?.b.loc ?? ir.loc,
    rest.slice(0, 3).map(({ b, n }) => ({
      message: `'${b.name}' [${b.shape}] ${b.dtype} uses ${fmtBytes(n)}`,
      loc: b.loc,
    })),
  );
}

/**
 * `npm run bench:timing`: wall time of timing-only simulation of the optimised matmul ladder stage at 4096×8192×8192
 * bf16 on trn1, split into trace, compile and timing, with instructions per second. Prints a table and writes
 * benchmarks/results/timing.json. Figures, not assertions: the machine is shared and noisy.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { compile } from '../codegen/compile.ts';
import { libraryKernel } from '../kernels/index.ts';
import { getChip } from '../simulator/chips/index.ts';
import { timeProgram } from '../simulator/simulate.ts';
import { LADDER_SHAPE } from './calibration.ts';

const chip = getChip(process.env.TILEKIT_CHIP ?? 'trn1');
const reps = Number(process.env.TILEKIT_REPS ?? 3);
const rows: {
  rep: number;
  traceMs: number;
  compileMs: number;
  timingMs: number;
  totalMs: number;
  instructions: number;
}[] = [];
for (let rep = 0; rep < reps; rep++) {
  const t0 = performance.now();
  const { kernel, inputs } = libraryKernel('matmul-optimized').build(LADDER_SHAPE, 'bfloat16');
  const ir = kernel.trace(inputs);
  const t1 = performance.now();
  const program = compile(ir, chip);
  const t2 = performance.now();
  timeProgram(program);
  const t3 = performance.now();
  rows.push({
    rep,
    traceMs: t1 - t0,
    compileMs: t2 - t1,
    timingMs: t3 - t2,
    totalMs: t3 - t0,
    instructions: ir.instrs.length,
  });
}
const best = rows.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
const result = {
  kernel: 'matmul-optimized',
  shape: LADDER_SHAPE,
  chip: chip.name,
  instructions: best.instructions,
  bestTotalMs: best.totalMs,
  timingInstrPerSec: best.instructions / (best.timingMs / 1000),
  traceCompileInstrPerSec: best.instructions / ((best.traceMs + best.compileMs) / 1000),
  rows,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/timing.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log('rep  trace ms  compile ms  timing ms  total ms  instrs');
for (const r of rows) {
  console.log(
    `${String(r.rep).padStart(3)}  ${r.traceMs.toFixed(0).padStart(8)}  ${r.compileMs.toFixed(0).padStart(10)}  ${r.timingMs.toFixed(0).padStart(9)}  ${r.totalMs.toFixed(0).padStart(8)}  ${r.instructions}`,
  );
}
console.log(
  `best: ${best.totalMs.toFixed(0)} ms for ${best.instructions} instructions; timing ${(result.timingInstrPerSec / 1e6).toFixed(2)} M instr/s; trace + compile ${(result.traceCompileInstrPerSec / 1e3).toFixed(0)} k instr/s`,
);

import { defineOp, fail } from '../op-def.ts';

export interface DevicePrintAttrs {
  readonly prefix: string;
}

/**
 * Print a tensor's values during simulation, with the kernel line, the SPMD program and the instruction
 * (neuroncore.md §2.5 device_print). It writes no memory: the simulator collects what `evaluate` reports and prints it
 * after the run, ordered by program and instruction. Timing-only runs print nothing. It runs on the sync engine and
 * takes no time, so printing does not change the timeline of the other engines.
 */
export const devicePrint = defineOp<DevicePrintAttrs>({
  summary: 'print a tensor during simulation (no memory written, no time taken)',
  engines: ['sync'],
  check: ({ ins, outs, attrs }) => {
    if (typeof attrs.prefix !== 'string') fail('TK0209', 'devicePrint: the prefix must be a string');
    if (ins.length !== 1 || outs.length !== 0)
      fail('TK0209', 'devicePrint takes one tensor and writes nothing');
  },
  evaluate: ({ ins: [values], report }) => {
    report?.(values);
  },
  flops: () => 0,
  describe: (a) => JSON.stringify(a.prefix),
});

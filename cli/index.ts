/** The CLI's steps as typed functions, for scripts: what `tilekit run`, `tilekit ir` and `tilekit suite` do. */
export { describeFailure, EXIT, type FailureReport } from './diagnostics.ts';
export { type IrFileOptions, kernelFileIR, traceKernelFile } from './ir.ts';
export {
  defaultTolerance,
  type KernelEntry,
  kernelExports,
  pickKernel,
  type ReferenceFn,
} from './kernel-file.ts';
export { type KernelModule, loadKernelModule } from './load.ts';
export {
  formatRunReport,
  type OutputReport,
  type RunFileOptions,
  type RunReport,
  runKernelFile,
} from './run.ts';
export {
  formatSuite,
  loadLibrary,
  runLibraryCase,
  runSuite,
  SUITE_COLUMNS,
  type SuiteOptions,
  type SuiteRow,
} from './suite.ts';
export { type Column, renderTable } from './table.ts';

/**
 * nki.language in TypeScript (neuroncore.md §2.5): tile-level functions that lower to ISA instructions at trace time.
 * The functions live in dsl/nl/ by family; this module is the `nl` namespace.
 */
export { affineRange, numPrograms, programId, programNdim, sequentialRange, staticRange } from './loops.ts';
export { broadcastTo } from './nl/broadcast.ts';
export * from './nl/compose.ts';
export * from './nl/constants.ts';
export * from './nl/create.ts';
export * from './nl/logic.ts';
export * from './nl/math.ts';
export * from './nl/memory.ts';
export type { Operand } from './nl/operand.ts';
export * from './nl/query.ts';
export * from './nl/reduce.ts';
export { after, noReorder } from './schedule.ts';

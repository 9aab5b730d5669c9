/** Chip configurations as data: the built-in NeuronCores, overrides, chip JSON files, validation. */
export { defineChip, finalizeChip } from './define.ts';
export { derivePeaks, PEAK_SOURCES, psumBytesPerPartition, usableSbufBytesPerPartition } from './derived.ts';
export { CHIP_ERROR_CODES, ChipConfigError, type ChipErrorCode } from './errors.ts';
export { chipFromJson } from './json.ts';
export { parseNumber, withOverrides } from './overrides.ts';
export { CHIP_SCHEMA, CHIPS, type ChipName, getChip, isChipName } from './registry.ts';
export { type ChipLeafPath, LEAF_RULES } from './rules.ts';
export type { ChipSchema, SchemaEntry } from './schema.ts';
export { trn1 } from './trn1.ts';
export { trn2 } from './trn2.ts';
export type * from './types.ts';

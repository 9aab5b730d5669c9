import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { CHIPS, type ChipConfig, getChip } from '../index.ts';
import { chipFromJson, withOverrides } from '../simulator/chips/index.ts';

/** `--chip`, repeatable `--set key=value` and `--chip-config file.json`: the same kernel on a what-if chip. */
export interface ChipFlags {
  readonly chip: string;
  readonly set?: readonly string[];
  readonly chipConfig?: string;
}

export function addChipOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--chip <name>', 'simulated chip').choices(Object.keys(CHIPS)).default('trn1'))
    .option(
      '--set <key=value>',
      "override a chip config value, e.g. --set dma.engines=8 (repeatable; see 'tilekit chip')",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--chip-config <file.json>',
      'a chip config file: a full config, or { "base": "trn1", "set": { ... } }',
    );
}

/** The chip the flags describe; bad keys or values throw a ChipConfigError naming the key. */
export function resolveChip(flags: ChipFlags): ChipConfig {
  const base = getChip(flags.chip ?? 'trn1');
  const fromFile = flags.chipConfig ? chipFromJson(readFileSync(flags.chipConfig, 'utf8'), base) : base;
  return flags.set?.length ? withOverrides(fromFile, flags.set) : fromFile;
}

import { ChipConfigError } from './errors.ts';
import { deriveSchema } from './schema.ts';
import { closest } from './suggest.ts';
import { trn1 } from './trn1.ts';
import { trn2 } from './trn2.ts';
import type { ChipConfig } from './types.ts';

export const CHIPS = { trn1, trn2 } as const;
export type ChipName = keyof typeof CHIPS;

/** The schema every chip config is checked against: the structure of trn1, plus trn2's optional groups. */
export const CHIP_SCHEMA = deriveSchema([trn1, trn2]);

/** Other names the Neuron tools use for the same cores (NEURON_PLATFORM_TARGET_OVERRIDE, nc_version). */
const ALIASES: Readonly<Record<string, ChipName>> = {
  gen2: 'trn1',
  inf2: 'trn1',
  'neuroncore-v2': 'trn1',
  gen3: 'trn2',
  'neuroncore-v3': 'trn2',
};

export function isChipName(name: string): name is ChipName {
  return Object.hasOwn(CHIPS, name);
}

/** The built-in chip called `name` (case-insensitive; also gen2/inf2/gen3); TK0901 if there is none. */
export function getChip(name: string): ChipConfig {
  const key = name.trim().toLowerCase();
  if (isChipName(key)) return CHIPS[key];
  const alias = ALIASES[key];
  if (alias !== undefined && Object.hasOwn(ALIASES, key)) return CHIPS[alias];
  const known = Object.values(CHIPS)
    .map((c) => `${c.name} (${c.core})`)
    .join(', ');
  const suggestion = closest(key, [...Object.keys(CHIPS), ...Object.keys(ALIASES)]);
  const target = suggestion && (isChipName(suggestion) ? suggestion : ALIASES[suggestion]);
  const hint = target ? `did you mean '${target}'? ` : '';
  throw new ChipConfigError('TK0901', `unknown chip '${name}'; ${hint}known chips: ${known}`, {
    value: name,
    suggestion: target,
  });
}

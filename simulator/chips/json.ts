import { unknownKey } from './define.ts';
import { ChipDraft } from './draft.ts';
import { ChipConfigError, showValue } from './errors.ts';
import { isPlainObject } from './paths.ts';
import { CHIP_SCHEMA, getChip } from './registry.ts';
import type { ChipConfig } from './types.ts';

const WHERE = 'chip JSON: ';
const ORIGIN = 'chip JSON';
/** Keys of the override form `{ "base": "trn1", "set": { "dma.engines": 8 } }`. */
const OVERRIDE_FORM_KEYS = ['base', 'set', 'sources', 'description'] as const;

/**
 * A chip from JSON text, in one of two forms:
 * - override form: `{ "base": "trn1", "set": { "dma.engines": 8, "tensor": { "clockGHz": 3 } }, "sources": {...} }`;
 *   without "base", `base` is used;
 * - config form: the fields of a ChipConfig (as `JSON.stringify(chip)` writes them). Without `base` it must be
 *   complete; with `base` it is merged over it. `peaks`, if given, must equal the derived peaks.
 * Values without a citation get the source 'chip JSON'. Errors: TK0904 malformed JSON, TK0901 unknown base chip,
 * TK0902 unknown key, TK0903 bad value, TK0905 missing key, TK0906 inconsistent values, TK0907 wrong peaks.
 */
export function chipFromJson(text: string, base?: ChipConfig): ChipConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ChipConfigError('TK0904', `${WHERE}malformed JSON: ${(e as Error).message}`, { value: text });
  }
  if (!isPlainObject(data)) {
    throw new ChipConfigError(
      'TK0904',
      `${WHERE}expected an object (a chip config, or { "base": "trn1", "set": { "dma.engines": 8 } }), got ${showValue(data)}`,
      { value: data },
    );
  }
  return 'base' in data || 'set' in data ? fromOverrideForm(data, base) : fromConfigForm(data, base);
}

function fromOverrideForm(data: Record<string, unknown>, fallback: ChipConfig | undefined): ChipConfig {
  for (const key of Object.keys(data)) {
    if (!(OVERRIDE_FORM_KEYS as readonly string[]).includes(key))
      throw unknownKey(key, WHERE, OVERRIDE_FORM_KEYS);
  }
  const { base: baseName, set = {}, sources } = data;
  if (baseName !== undefined && typeof baseName !== 'string') {
    throw new ChipConfigError(
      'TK0903',
      `${WHERE}base = ${showValue(baseName)} is invalid: must be a chip name`,
      {
        key: 'base',
        value: baseName,
        rule: 'a chip name such as "trn1"',
      },
    );
  }
  const base = baseName !== undefined ? getChip(baseName) : fallback;
  if (base === undefined) {
    throw new ChipConfigError('TK0904', `${WHERE}"set" needs a base chip: add "base": "trn1" (or "trn2")`, {
      key: 'base',
    });
  }
  if (!isPlainObject(set)) {
    throw new ChipConfigError('TK0903', `${WHERE}set = ${showValue(set)} is invalid: must be an object`, {
      key: 'set',
      value: set,
      rule: 'an object of key: value settings',
    });
  }
  const draft = new ChipDraft(base, WHERE);
  for (const [key, value] of Object.entries(set)) draft.set(key, value, ORIGIN);
  if (sources !== undefined) draft.cite(sources);
  return draft.finish();
}

function fromConfigForm(data: Record<string, unknown>, base: ChipConfig | undefined): ChipConfig {
  const draft = new ChipDraft(base, WHERE);
  const topLevel = [...CHIP_SCHEMA.keys()].filter((k) => !k.includes('.'));
  for (const [key, value] of Object.entries(data)) {
    if (!topLevel.includes(key) && key !== 'sources')
      throw unknownKey(key, WHERE, [...topLevel, ...OVERRIDE_FORM_KEYS]);
    if (key === 'sources') draft.cite(value);
    else if (key === 'peaks') draft.givePeaks(value);
    else draft.set(key, value, ORIGIN);
  }
  return draft.finish();
}

import { ChipDraft, settableKey } from './draft.ts';
import { ChipConfigError } from './errors.ts';
import type { ChipConfig } from './types.ts';
import { GiB, KiB, MiB } from './units.ts';

const WHERE = 'chip override: ';
const NUMBER = /^[+-]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const UNITS: Readonly<Record<string, number>> = { kib: KiB, mib: MiB, gib: GiB };

/**
 * A new chip: `chip` with each `key=value` applied in order (e.g. 'dma.engines=8', 'sbuf.bytesPerPartition=384KiB',
 * 'vector.perfModes=null', 'tensor.throttle={"startFraction":0.5,"rampNs":3000,"windowNs":3000,"minUtilization":0.5}').
 * The result is validated like a built-in chip and deep-frozen; `chip` itself is never changed. Each overridden
 * key's source becomes 'override key=value'.
 */
export function withOverrides(chip: ChipConfig, sets: readonly string[]): ChipConfig {
  const draft = new ChipDraft(chip, WHERE);
  for (const text of sets) {
    const { key, raw } = splitSetting(text);
    draft.set(key, parseValue(key, raw), `override ${key}=${raw}`);
  }
  return draft.finish();
}

function splitSetting(text: string): { key: string; raw: string } {
  const at = text.indexOf('=');
  const key = at < 0 ? '' : text.slice(0, at).trim();
  const raw = at < 0 ? '' : text.slice(at + 1).trim();
  if (key === '' || raw === '') {
    throw new ChipConfigError(
      'TK0904',
      `malformed override '${text}': expected key=value, e.g. 'dma.engines=8'`,
      {
        value: text,
        rule: 'key=value',
      },
    );
  }
  return { key, raw };
}

/** The text of a value, read as the key's kind; text that does not read as that kind is returned as is. */
function parseValue(key: string, raw: string): unknown {
  const { kind } = settableKey(key, WHERE);
  if (kind === 'number') return parseNumber(raw) ?? raw;
  if (kind === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (kind === 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new ChipConfigError(
      'TK0904',
      `malformed override '${key}=${raw}': a group's value must be a JSON object (or null): ${(e as Error).message}`,
      { key, value: raw, rule: 'a JSON object' },
    );
  }
}

/** '8', '2.8', '1e3', '65_536', '192KiB', '1.5 GiB' -> number; anything else -> undefined. */
export function parseNumber(raw: string): number | undefined {
  const unit = /(kib|mib|gib)$/i.exec(raw);
  const digits = (unit ? raw.slice(0, -unit[0].length) : raw).trim();
  if (!NUMBER.test(digits)) return undefined;
  return Number(digits.replaceAll('_', '')) * (unit ? UNITS[unit[0].toLowerCase()] : 1);
}

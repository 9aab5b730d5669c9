import { CONSISTENCY_RULES } from './consistency.ts';
import { derivePeaks, PEAK_SOURCES } from './derived.ts';
import { ChipConfigError, showValue } from './errors.ts';
import { deepFreeze, getPath, groupsOf, isPlainObject, type PlainObject, setPath } from './paths.ts';
import { LEAF_RULES, type LeafRule, OPTIONAL_GROUPS, ruleViolation } from './rules.ts';
import { closest } from './suggest.ts';
import type { ChipConfig, ChipSpec } from './types.ts';

const RULES: ReadonlyMap<string, LeafRule> = new Map(Object.entries(LEAF_RULES));
const PEAK_PATHS: readonly string[] = Object.keys(PEAK_SOURCES);
const STRING_KEYS = ['name', 'core'] as const;
/** Every leaf a finished chip has: the settable ones, then the derived peaks. */
const ALL_LEAVES: readonly string[] = [...RULES.keys(), ...PEAK_PATHS];
const GROUPS: ReadonlySet<string> = new Set(ALL_LEAVES.flatMap(groupsOf));
const KNOWN_PATHS: readonly string[] = [...STRING_KEYS, 'sources', ...GROUPS, ...ALL_LEAVES];

/**
 * Validates a chip spec, derives its peaks and returns it deep-frozen. Checks, in order: no unknown keys, every
 * required key present, every value of its kind and within its rule (`rules.ts`), the cross-field rules
 * (`consistency.ts`), given peaks equal to the derived ones, and a source for every value.
 */
export function defineChip(spec: ChipSpec): ChipConfig {
  return finalizeChip(spec);
}

/** `defineChip` for data of unknown shape (parsed JSON, an override result). */
export function finalizeChip(raw: unknown): ChipConfig {
  if (!isPlainObject(raw)) {
    throw new ChipConfigError('TK0904', `a chip config must be an object, got ${showValue(raw)}`, {
      value: raw,
    });
  }
  const where = typeof raw.name === 'string' ? `chip '${raw.name}': ` : 'chip config: ';
  checkKeys(raw, '', where);
  const out: PlainObject = {};
  for (const key of STRING_KEYS) out[key] = checkString(raw, key, where);
  for (const [path, rule] of RULES) {
    const value = getPath(raw, path);
    if (value === undefined) {
      checkMissing(raw, path, rule, where);
      continue;
    }
    const violation = ruleViolation(rule, value);
    if (violation) {
      throw new ChipConfigError('TK0903', `${where}${path} = ${showValue(value)} is invalid: ${violation}`, {
        key: path,
        value,
        rule: rule.text,
      });
    }
    setPath(out, path, value);
  }
  const spec = out as unknown as ChipSpec;
  for (const rule of CONSISTENCY_RULES) {
    if (!rule.holds(spec)) {
      throw new ChipConfigError('TK0906', `${where}${rule.text(spec)}`, {
        key: rule.keys[0],
        value: getPath(spec, rule.keys[0]),
        rule: rule.text(spec),
      });
    }
  }
  out.peaks = derivePeaks(spec);
  checkGivenPeaks(raw, out, where);
  out.sources = checkSources(raw, out, where);
  return deepFreeze(out as unknown as ChipConfig);
}

function checkKeys(node: PlainObject, prefix: string, where: string): void {
  for (const [key, value] of Object.entries(node)) {
    const path = prefix + key;
    const isString = !prefix && (STRING_KEYS as readonly string[]).includes(key);
    if (path === 'sources' || isString || RULES.has(path) || PEAK_PATHS.includes(path)) continue;
    if (GROUPS.has(path)) {
      if (value === undefined && OPTIONAL_GROUPS.includes(path)) continue;
      if (!isPlainObject(value)) {
        throw new ChipConfigError(
          'TK0903',
          `${where}${path} = ${showValue(value)} is invalid: must be a group of keys`,
          {
            key: path,
            value,
            rule: 'a group of keys (an object)',
          },
        );
      }
      checkKeys(value, `${path}.`, where);
      continue;
    }
    throw unknownKey(path, where);
  }
}

/** TK0902 naming the closest known key. */
export function unknownKey(path: string, where = 'chip config: ', known: readonly string[] = KNOWN_PATHS) {
  const suggestion = closest(path, known);
  const hint = suggestion ? `; did you mean '${suggestion}'?` : `; known keys: ${siblingsOf(path, known)}`;
  return new ChipConfigError('TK0902', `${where}unknown key '${path}'${hint}`, { key: path, suggestion });
}

function siblingsOf(path: string, known: readonly string[]): string {
  const groups = groupsOf(path);
  for (const group of groups.reverse()) {
    const children = known.filter(
      (k) => k.startsWith(`${group}.`) && !k.slice(group.length + 1).includes('.'),
    );
    if (children.length > 0) return children.join(', ');
  }
  return known.filter((k) => !k.includes('.')).join(', ');
}

function checkString(raw: PlainObject, key: string, where: string): string {
  const value = raw[key];
  if (value === undefined) {
    throw new ChipConfigError('TK0905', `${where}chip config key '${key}' is missing (a non-empty string)`, {
      key,
    });
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ChipConfigError(
      'TK0903',
      `${where}${key} = ${showValue(value)} is invalid: must be a non-empty string`,
      {
        key,
        value,
        rule: 'a non-empty string',
      },
    );
  }
  return value;
}

function checkMissing(raw: PlainObject, path: string, rule: LeafRule, where: string): void {
  const optional = groupsOf(path).find((g) => OPTIONAL_GROUPS.includes(g));
  if (optional !== undefined && getPath(raw, optional) === undefined) return;
  const note = optional ? ` (the optional group '${optional}' is given, so all of its keys are needed)` : '';
  throw new ChipConfigError('TK0905', `${where}chip config key '${path}' is missing: ${rule.text}${note}`, {
    key: path,
    rule: rule.text,
  });
}

function checkGivenPeaks(raw: PlainObject, out: PlainObject, where: string): void {
  for (const path of PEAK_PATHS) {
    const given = getPath(raw, path);
    if (given === undefined) continue;
    const derived = getPath(out, path) as number;
    const same = typeof given === 'number' && Math.abs(given - derived) <= 1e-9 * Math.abs(derived);
    if (!same) {
      const how = PEAK_SOURCES[path as keyof typeof PEAK_SOURCES];
      throw new ChipConfigError(
        'TK0907',
        `${where}${path} is derived (${how}) and equals ${derived} for this chip; got ${showValue(given)}. ` +
          'Set the fields it is derived from instead',
        { key: path, value: given, rule: how },
      );
    }
  }
}

function checkSources(raw: PlainObject, out: PlainObject, where: string): Record<string, string> {
  const given = raw.sources ?? {};
  if (!isPlainObject(given)) {
    throw new ChipConfigError(
      'TK0903',
      `${where}sources = ${showValue(given)} is invalid: must be an object`,
      {
        key: 'sources',
        value: given,
        rule: 'an object mapping keys to source citations',
      },
    );
  }
  for (const [key, text] of Object.entries(given)) {
    if (!RULES.has(key) && !PEAK_PATHS.includes(key)) throw unknownKey(`sources.${key}`, where, sourceKeys());
    if (typeof text !== 'string' || text.trim() === '') {
      throw new ChipConfigError(
        'TK0903',
        `${where}sources['${key}'] = ${showValue(text)} is invalid: must be a non-empty citation`,
        { key: `sources.${key}`, value: text, rule: 'a non-empty string' },
      );
    }
  }
  const sources: Record<string, string> = {};
  for (const path of RULES.keys()) {
    if (getPath(out, path) === undefined) continue;
    const text = given[path];
    if (typeof text !== 'string') {
      throw new ChipConfigError(
        'TK0908',
        `${where}${path} = ${showValue(getPath(out, path))} has no entry in sources; cite where the value comes from`,
        { key: path, value: getPath(out, path) },
      );
    }
    sources[path] = text;
  }
  return { ...sources, ...PEAK_SOURCES };
}

const sourceKeys = (): string[] => ALL_LEAVES.map((k) => `sources.${k}`);

import { finalizeChip, unknownKey } from './define.ts';
import { PEAK_SOURCES } from './derived.ts';
import { ChipConfigError, showValue } from './errors.ts';
import { cloneData, deletePath, isPlainObject, type PlainObject, setPath } from './paths.ts';
import { CHIP_SCHEMA } from './registry.ts';
import { LEAF_RULES } from './rules.ts';
import type { SchemaEntry } from './schema.ts';
import type { ChipConfig } from './types.ts';

const KNOWN_KEYS: readonly string[] = [...CHIP_SCHEMA.keys()];

/** The schema entry of a settable key: TK0902 for unknown keys (with the closest known one), TK0907 for peaks. */
export function settableKey(key: string, where: string): SchemaEntry {
  if (key === 'sources' || key.startsWith('sources.')) {
    throw new ChipConfigError(
      'TK0902',
      `${where}'${key}' cannot be set like a value; each setting records its own source`,
      { key },
    );
  }
  const entry = CHIP_SCHEMA.get(key);
  if (entry === undefined) throw unknownKey(key, where, KNOWN_KEYS);
  if (entry.derived) {
    const how =
      PEAK_SOURCES[key as keyof typeof PEAK_SOURCES] ?? 'derived from the tensor, dma and hbm fields';
    throw new ChipConfigError(
      'TK0907',
      `${where}${key} is derived (${how}); set the fields it is derived from instead`,
      {
        key,
        rule: how,
      },
    );
  }
  return entry;
}

/**
 * A mutable copy of a chip (or an empty config) that settings are applied to, one key at a time, each checked
 * against the schema and recorded in `sources`; `finish()` validates it all with `finalizeChip`.
 */
export class ChipDraft {
  private readonly data: PlainObject;
  private readonly sources: Record<string, string>;

  constructor(
    base: ChipConfig | undefined,
    private readonly where: string,
  ) {
    this.data = base ? (cloneData(base) as unknown as PlainObject) : {};
    this.sources = { ...(base?.sources ?? {}) };
    delete this.data.peaks;
    delete this.data.sources;
  }

  /** Sets a leaf, or merges an object into a group (null removes an optional group). */
  set(key: string, value: unknown, origin: string): void {
    const entry = settableKey(key, this.where);
    if (entry.kind !== 'group') {
      this.setLeaf(entry, value, origin);
      return;
    }
    if (value === null && entry.optional) {
      deletePath(this.data, key);
      return;
    }
    if (value === null) {
      throw new ChipConfigError(
        'TK0903',
        `${this.where}${key} = null is invalid: ${key} is required and cannot be removed`,
        {
          key,
          value,
          rule: 'a group of keys (an object)',
        },
      );
    }
    if (!isPlainObject(value)) {
      const rule = entry.optional
        ? 'a group of keys (an object), or null to remove it'
        : 'a group of keys (an object)';
      throw new ChipConfigError(
        'TK0903',
        `${this.where}${key} = ${showValue(value)} is invalid: must be ${rule}`,
        {
          key,
          value,
          rule,
        },
      );
    }
    for (const [child, childValue] of Object.entries(value)) this.set(`${key}.${child}`, childValue, origin);
  }

  /** Explicit citations, applied over the ones recorded by `set`. */
  cite(sources: unknown): void {
    if (!isPlainObject(sources)) {
      throw new ChipConfigError(
        'TK0903',
        `${this.where}sources = ${showValue(sources)} is invalid: must be an object`,
        {
          key: 'sources',
          value: sources,
          rule: 'an object mapping keys to source citations',
        },
      );
    }
    Object.assign(this.sources, sources);
  }

  /** Peaks given in a full config: kept so that `finish` checks they equal the derived ones. */
  givePeaks(peaks: unknown): void {
    this.data.peaks = peaks;
  }

  finish(): ChipConfig {
    return finalizeChip({ ...this.data, sources: this.sources });
  }

  private setLeaf(entry: SchemaEntry, value: unknown, origin: string): void {
    if (typeof value !== entry.kind) {
      const rule = LEAF_RULES[entry.path as keyof typeof LEAF_RULES]?.text ?? `a ${entry.kind}`;
      throw new ChipConfigError(
        'TK0903',
        `${this.where}${entry.path} = ${showValue(value)} is invalid: must be a ${entry.kind} (${rule})`,
        { key: entry.path, value, rule },
      );
    }
    setPath(this.data, entry.path, value);
    if (entry.kind !== 'string') this.sources[entry.path] = origin;
  }
}

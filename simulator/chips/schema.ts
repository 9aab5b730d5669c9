import { isPlainObject } from './paths.ts';
import type { ChipConfig } from './types.ts';

/** What a key of a chip config holds, as read off the built-in chip objects. */
export interface SchemaEntry {
  readonly path: string;
  readonly kind: 'number' | 'boolean' | 'string' | 'group';
  /** Absent from at least one built-in chip (an optional group, or a key inside one). */
  readonly optional: boolean;
  /** Computed by defineChip (under `peaks`); never set directly. */
  readonly derived: boolean;
}

/** Dotted key -> entry, in the key order of the first chip. `sources` is not part of it. */
export type ChipSchema = ReadonlyMap<string, SchemaEntry>;

/**
 * The schema of chip configs, derived from the structure of the given chips (the first one, trn1, sets the
 * order; the others add what it lacks, e.g. trn2's optional groups). Adding a field to the chips adds it here.
 */
export function deriveSchema(chips: readonly ChipConfig[]): ChipSchema {
  const seen = new Map<string, { kind: SchemaEntry['kind']; count: number }>();
  const visit = (node: Record<string, unknown>, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix + key;
      if (path === 'sources') continue;
      const kind = kindOf(value, path);
      const prev = seen.get(path);
      if (prev && prev.kind !== kind)
        throw new Error(`chip schema: '${path}' is a ${prev.kind} and a ${kind}`);
      seen.set(path, { kind, count: (prev?.count ?? 0) + 1 });
      if (isPlainObject(value)) visit(value, `${path}.`);
    }
  };
  for (const chip of chips) visit(chip as unknown as Record<string, unknown>, '');
  const schema = new Map<string, SchemaEntry>();
  for (const [path, { kind, count }] of seen) {
    const derived = path === 'peaks' || path.startsWith('peaks.');
    schema.set(path, { path, kind, optional: count < chips.length, derived });
  }
  return schema;
}

function kindOf(value: unknown, path: string): SchemaEntry['kind'] {
  const type = typeof value;
  if (type === 'number' || type === 'boolean' || type === 'string') return type;
  if (isPlainObject(value)) return 'group';
  throw new Error(`chip schema: '${path}' holds ${typeof value}, not a number, boolean, string or group`);
}

/** The leaf keys (numbers, booleans, strings) of a schema. */
export function schemaLeaves(schema: ChipSchema): SchemaEntry[] {
  return [...schema.values()].filter((e) => e.kind !== 'group');
}

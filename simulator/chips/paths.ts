/** Dotted-path helpers over plain nested objects. */

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function getPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const segment of path.split('.')) {
    if (!isPlainObject(node)) return undefined;
    node = node[segment];
  }
  return node;
}

/** Sets a leaf, creating missing groups on the way. */
export function setPath(root: PlainObject, path: string, value: unknown): void {
  const segments = path.split('.');
  let node = root;
  for (const segment of segments.slice(0, -1)) {
    const next = node[segment];
    if (isPlainObject(next)) node = next;
    else node = node[segment] = {};
  }
  node[segments[segments.length - 1]] = value;
}

export function deletePath(root: PlainObject, path: string): void {
  const segments = path.split('.');
  const parent = getPath(root, segments.slice(0, -1).join('.'));
  const container = segments.length === 1 ? root : parent;
  if (isPlainObject(container)) delete container[segments[segments.length - 1]];
}

/** Every proper prefix of a dotted path: 'a.b.c' -> ['a', 'a.b']. */
export function groupsOf(path: string): string[] {
  const segments = path.split('.');
  return segments.slice(1).map((_, i) => segments.slice(0, i + 1).join('.'));
}

/** A structural copy of JSON-like data (the result is mutable even if the input was frozen). */
export function cloneData<T>(value: T): T {
  return structuredClone(value);
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

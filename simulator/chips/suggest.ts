/** Levenshtein edit distance (insert, delete, substitute each cost 1). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, sub));
    }
    prev = cur;
  }
  return prev[b.length];
}

const lastSegment = (path: string): string => path.slice(path.lastIndexOf('.') + 1);

/**
 * The candidate closest to `input` (case-insensitive), or undefined when none is close enough to be a likely
 * typo. A dotted candidate also matches on its last segment, so 'engines' suggests 'dma.engines'.
 */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase();
  const limit = Math.max(2, Math.floor(needle.length * 0.4));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const full = editDistance(needle, candidate.toLowerCase());
    const tail = needle.includes('.') ? full : editDistance(needle, lastSegment(candidate).toLowerCase());
    const d = Math.min(full, tail);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

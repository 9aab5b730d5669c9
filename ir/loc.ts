/** A position in the user's TypeScript source: 1-based line and column, as editors show them. */
export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export const UNKNOWN_LOC: SourceLoc = Object.freeze({ file: '<unknown>', line: 0, column: 0 });

export function formatLoc(loc: SourceLoc): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

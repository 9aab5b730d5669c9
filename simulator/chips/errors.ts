/**
 * Diagnostics for chip configurations (built-in chips, `--set key=value` overrides, chip JSON files).
 * One entry per stable code; codes never change meaning. The kernel diagnostics (TK01xx-TK07xx) live in
 * `ir/error-codes.ts`; the TK09xx block belongs to chip configs.
 */
export interface ChipErrorCodeInfo {
  readonly title: string;
}

export const CHIP_ERROR_CODES = {
  TK0901: { title: 'unknown chip name' },
  TK0902: { title: 'unknown chip config key' },
  TK0903: { title: 'chip config value of the wrong type or out of range' },
  TK0904: { title: 'malformed chip JSON or override' },
  TK0905: { title: 'chip config key missing' },
  TK0906: { title: 'chip config values inconsistent with each other' },
  TK0907: { title: 'derived chip config value cannot be set' },
  TK0908: { title: 'chip config value without a source' },
} as const satisfies Record<string, ChipErrorCodeInfo>;

export type ChipErrorCode = keyof typeof CHIP_ERROR_CODES;

export interface ChipErrorDetails {
  /** The config key (dotted path, e.g. `dma.engines`) the error is about. */
  readonly key?: string;
  /** The offending value, as given. */
  readonly value?: unknown;
  /** The rule that was broken, in words (e.g. `a positive integer`). */
  readonly rule?: string;
  /** The closest known key or chip name, when one is close enough to be a likely typo. */
  readonly suggestion?: string;
}

/** An error in a chip configuration: a stable code plus the key, value and rule involved. */
export class ChipConfigError extends Error {
  override readonly name = 'ChipConfigError';
  readonly key?: string;
  readonly value?: unknown;
  readonly rule?: string;
  readonly suggestion?: string;

  constructor(
    readonly code: ChipErrorCode,
    readonly detail: string,
    details: ChipErrorDetails = {},
  ) {
    super(`${code} ${detail}`);
    this.key = details.key;
    this.value = details.value;
    this.rule = details.rule;
    this.suggestion = details.suggestion;
  }

  get title(): string {
    return CHIP_ERROR_CODES[this.code].title;
  }

  /** The diagnostic as data, for `--json`. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.detail,
      key: this.key,
      rule: this.rule,
      suggestion: this.suggestion,
    };
  }
}

/** A value as it should appear in a message: strings quoted, objects as JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

import { ChipConfigError } from './errors.ts';

/** Test helper: the ChipConfigError that `f` throws (any other outcome fails the test). */
export function chipError(f: () => unknown): ChipConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ChipConfigError) return e;
    throw e;
  }
  throw new Error('expected a ChipConfigError, but nothing was thrown');
}

/** Parsing of command-line option values, with the error every command gives for a bad one. */
import { KitError } from '../util/errors';

/** The value of `--<flag>` as a positive integer, or a KitError naming the option and the value. */
export function positiveIntOption(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new KitError(`--${flag} must be a positive integer, got '${raw}'`);
  return n;
}

/** The value of `--<flag>` as a positive finite number, or a KitError naming the option and the value. */
export function positiveNumberOption(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new KitError(`--${flag} must be a positive number, got '${raw}'`);
  return n;
}

/** The value of `--<flag>` as an integer >= 0 (an index or a seed), or a KitError naming the option and the value. */
export function nonNegativeIntOption(flag: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new KitError(`--${flag} must be an integer >= 0, got '${raw}'`);
  return n;
}

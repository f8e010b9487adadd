/**
 * Reading and writing schedules as text. The CLI form is a comma-separated list of model indices,
 * `3,2,0,1,0,0`; the bracketed list the official code prints, `[3, 2, 0, 1, 0, 0]`, is accepted too.
 */
import { KitError } from '../util/errors';
import { ModelSchedule, SolverName, scheduleEntries } from './types';
import { validateSchedule } from './validate';

export interface ParseOptions {
  /** N, the zoo size; model indices must be in 0..N. Unchecked above 0 when undefined. */
  numModels?: number;
  /** Required length, if any. */
  length?: number;
  /** T (DDIM length limit); default 1000. */
  timesteps?: number;
}

/** The integers of a schedule text, or a KitError naming the first bad item. */
export function parseEntries(text: string): number[] {
  let body = text.trim();
  if (body.startsWith('[') && body.endsWith(']')) body = body.slice(1, -1);
  if (body.trim() === '') {
    throw new KitError('empty schedule', { hint: 'give the model index of every position, e.g. --schedule 3,2,0,1,0,0 (0 = null model)' });
  }
  const items = body.split(/\s*,\s*|\s+/).map((s) => s.trim());
  return items.map((item, i) => {
    if (!/^\d+$/.test(item)) {
      throw new KitError(`schedule position ${i}: '${item}' is not a model index (a non-negative integer)`, {
        hint: 'write the schedule as comma-separated integers, e.g. 3,2,0,1,0,0 (0 = null model, 1..N = zoo models)',
      });
    }
    return Number(item);
  });
}

/** Parses (text) or takes (array) a schedule and validates it; see `validateSchedule`. */
export function parseSchedule(solver: SolverName, input: string | readonly number[], options: ParseOptions = {}): ModelSchedule {
  const entries = typeof input === 'string' ? parseEntries(input) : input;
  return validateSchedule(solver, entries, options.numModels, options.length, { timesteps: options.timesteps });
}

/** The CLI form `3,2,0,1,0,0`. */
export function formatSchedule(schedule: ModelSchedule | readonly number[]): string {
  const entries = scheduleEntries(schedule);
  return entries.join(',');
}

/**
 * The part of a schedule-FID dataset one point of the collection study trains on: the first n
 * training-split records in id order, and every validation record.
 *
 * Why id order is fair to both strategies: random collection's records are independent draws, so
 * its first n training records are a random sample of n; active collection hands out its training
 * ids in the order it chose the schedules (the random start, then round after round: active-loop.ts),
 * so its first n are exactly what it would have had if stopped after n. The validation records are
 * the same fixed random draws in both datasets (drawn before any round), so the validation tau of
 * every point is measured on the same records.
 */
import { KitError } from '../util/errors';

export interface SplitRecord {
  id: number;
  split: 'train' | 'validation';
}

/**
 * The fewest training records a predictor can have: ceil(fraction * n) held back to choose the
 * checkpoint and the rest to train on, at least 2 each (experiment-predictor.ts, carveSelection).
 */
export function minimumTrainingRecords(selectionFraction: number): number {
  for (let n = 4; ; n++) {
    const k = Math.ceil(selectionFraction * n - 1e-9);
    if (k >= 2 && n - k >= 2) return n;
  }
}

/** Records for a point with `trainingRecords` training records (see the file comment), in id order. */
export function studySubset<R extends SplitRecord>(records: readonly R[], trainingRecords: number, what: string): R[] {
  const byId = [...records].sort((a, b) => a.id - b.id);
  const train = byId.filter((r) => r.split === 'train');
  if (!Number.isInteger(trainingRecords) || trainingRecords < 1 || trainingRecords > train.length) {
    throw new KitError(`the collection study asks for ${trainingRecords} training records of ${what}, which has ${train.length}`, {
      hint: `give --records up to ${train.length}, or collect more`,
    });
  }
  const kept = new Set(train.slice(0, trainingRecords).map((r) => r.id));
  return byId.filter((r) => r.split === 'validation' || kept.has(r.id));
}

/**
 * The study's default record counts: the random start of active collection (`initial`), then 2, 4
 * and 6 times it, and a third of `available` (the question the study answers: does active
 * collection match every random record with a third of the FID evaluations?), each while below
 * `available` and at least `minimum` (a predictor needs that many: minimumTrainingRecords), then
 * every training record. For the CPU profiles (25 initial, 225 training records) that is 25, 50,
 * 75, 100, 150 and 225.
 */
export function defaultStudyRecords(initial: number, available: number, minimum = 1): number[] {
  const counts = [...[1, 2, 4, 6].map((k) => k * initial), Math.round(available / 3)].filter((n) => n >= minimum && n < available);
  return [...new Set(counts)].sort((a, b) => a - b).concat(available);
}

/** Checks a --records list: integers from `minimum` (minimumTrainingRecords) to `available`; returns them ascending and distinct. */
export function checkStudyRecords(counts: readonly number[], minimum: number, available: number): number[] {
  if (counts.length === 0) throw new KitError('the collection study needs at least one record count', { hint: `e.g. --records 25,50,100,${available}` });
  const sorted = [...new Set(counts)].sort((a, b) => a - b);
  const bad = sorted.find((n) => !Number.isInteger(n) || n < minimum || n > available);
  if (bad !== undefined) {
    throw new KitError(`record count ${bad} is not a number of training records the study can use`, {
      hint: `use integers from ${minimum} (predictor.selectionFraction leaves 2 to train on and 2 to choose the checkpoint) to ${available} (the training records of the datasets), e.g. --records ${minimum},${available}`,
    });
  }
  return sorted;
}

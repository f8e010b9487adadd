/**
 * Where the predictor may be trusted, third descriptor (after NFE range and model mix,
 * record-support.ts): how much an ensemble of predictors disagrees about a schedule. The members
 * are trained on bootstrap resamples of the training records (lib/predictor/ensemble.ts), so they
 * agree where many records agree and part where the records say little or pull different ways,
 * which NFE and model mix cannot see (two schedules with the same NFE and mix can run the models
 * at quite different steps, and records near a schedule can disagree).
 *
 * Free of each member's scale, because a member's scores are ranking scores whose scale and offset
 * are not comparable between members (ensemble.ts): a standard deviation of raw scores would measure
 * the members' scales, not their disagreement. So each member's score of a schedule is first
 * standardised against that member's own scores of the n training-split records,
 *
 *   z_k(s) = (score_k(s) - mean_k) / sd_k      (mean_k, sd_k over the n training records),
 *
 * and the spread is the standard deviation over the K members of z_k(s), dividing by K (the members
 * are the whole ensemble, not a sample of a larger one). Not a quantile among the training scores:
 * a quantile stops at 0 and 1, so a schedule every member puts beyond all the records (exactly the
 * extrapolation the spread is there to catch: the searched picks at the largest budgets) would get a
 * spread near 0 however far apart the members put it; a z-score keeps the distance.
 *
 * Threshold: the median spread over the validation records (the lower middle for an even count,
 * as record-support.ts takes its spacing), which no member trained on. A candidate counts as
 * vouched for when the ensemble disagrees on it no more than it typically does on schedules it
 * never saw. Not the training records: each sat in about 63% of the members' resamples, so the
 * members agree on them more than on any new schedule and the threshold would be too strict.
 */
import type { PredictorEnsemble } from '../predictor/ensemble';
import { scheduleKey } from '../search/score-cache';
import { KitError } from '../util/errors';

/** The spread of schedules already measured, and the threshold, for the re-rank set (oms-dpm-pick.ts). */
export interface SpreadLookup {
  threshold: number;
  /** the spread of a schedule given to `EnsembleSpread.lookup` (or a training record) */
  of(schedule: readonly number[]): number;
}

/** A member's standardisation: the mean and standard deviation (dividing by n) of its training scores. */
export interface MemberScale { mean: number; sd: number }

/** `scores`' mean and standard deviation; sd 1 when they are all equal (the member then ranks nothing, and z = its offset). */
export function memberScale(scores: readonly number[]): MemberScale {
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const sd = Math.sqrt(scores.reduce((a, x) => a + (x - mean) ** 2, 0) / scores.length);
  return { mean, sd: sd > 0 ? sd : 1 };
}

/** z = (x - mean) / sd. */
export const standardised = (x: number, scale: MemberScale): number => (x - scale.mean) / scale.sd;

/** Standard deviation over the members (dividing by K). */
export function spreadOf(zs: readonly number[]): number {
  const k = zs.length;
  const mean = zs.reduce((a, b) => a + b, 0) / k;
  return Math.sqrt(zs.reduce((a, z) => a + (z - mean) ** 2, 0) / k);
}

/** The median, the lower middle for an even count. */
export function lowerMedian(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** A KitError unless there are training records to measure against and validation records to set the threshold. */
export function checkSpreadRecords(training: number, validation: number): void {
  if (training > 0 && validation > 0) return;
  throw new KitError(`the ensemble spread measures schedules against the training records and takes its threshold from the validation records; the dataset has ${training} and ${validation}`, {
    hint: 'collect a dataset with both splits (collection.trainRatio between 0 and 1), or set front.supportEnsemble: 0 to leave the spread out',
  });
}

/** Every member's scores of `schedules` (copies go out: a scorer may reorder what it is given). */
async function memberScores(ensemble: PredictorEnsemble, schedules: readonly (readonly number[])[]): Promise<number[][]> {
  const out: number[][] = [];
  for (let k = 0; k < ensemble.size; k++) out.push(await ensemble.score(k, schedules.map((s) => [...s])));
  return out;
}

/** The ensemble spread of schedules, measured against the training records; see the file comment. */
export class EnsembleSpread {
  private constructor(
    private readonly ensemble: PredictorEnsemble,
    /** per member, the mean and sd of its scores of the training records */
    private readonly scales: MemberScale[],
    readonly threshold: number,
    /** spreads measured so far, by schedule key (the training records' from the start) */
    private readonly known: Map<string, number>,
  ) {}

  /**
   * Scores the training and validation records with every member: the training scores fix each
   * member's standardisation, the validation spreads the threshold. The ensemble stays the caller's to release.
   */
  static async measure(ensemble: PredictorEnsemble, training: readonly (readonly number[])[], validation: readonly (readonly number[])[]): Promise<EnsembleSpread> {
    if (ensemble.size < 2) throw new KitError(`an ensemble spread needs at least 2 members, the ensemble has ${ensemble.size}`, { hint: 'set front.supportEnsemble to 0 (off) or to 2 or more (the default is 5)' });
    checkSpreadRecords(training.length, validation.length);
    const scores = await memberScores(ensemble, [...training, ...validation]);
    const scales = scores.map((s) => memberScale(s.slice(0, training.length)));
    const spreads = (offset: number, count: number) => Array.from({ length: count }, (_, i) => spreadOf(scales.map((m, k) => standardised(scores[k][offset + i], m))));
    const threshold = lowerMedian(spreads(training.length, validation.length));
    const known = new Map(spreads(0, training.length).map((s, i) => [scheduleKey(training[i]), s]));
    return new EnsembleSpread(ensemble, scales, threshold, known);
  }

  /** The spread of each of `schedules` (scored by every member where not measured yet). */
  async spreads(schedules: readonly (readonly number[])[]): Promise<number[]> {
    const keys = schedules.map(scheduleKey);
    const todo = [...new Map(schedules.map((s, i) => [keys[i], s])).entries()].filter(([key]) => !this.known.has(key));
    if (todo.length > 0) {
      const scores = await memberScores(this.ensemble, todo.map(([, s]) => s));
      todo.forEach(([key], i) => this.known.set(key, spreadOf(this.scales.map((m, k) => standardised(scores[k][i], m)))));
    }
    return keys.map((key) => this.known.get(key)!);
  }

  /** `schedules` measured, as a lookup that also knows every training record. */
  async lookup(schedules: readonly (readonly number[])[]): Promise<SpreadLookup> {
    await this.spreads(schedules);
    const known = this.known;
    return {
      threshold: this.threshold,
      of: (schedule) => {
        const s = known.get(scheduleKey(schedule));
        if (s === undefined) throw new Error(`no ensemble spread measured for schedule [${schedule.join(', ')}]`);
        return s;
      },
    };
  }
}

/**
 * One number for a front's held-out quality against the baselines: the mean over the budgets of
 * FID(OMS-DPM's pick) - FID(best baseline) on the held-out images, with a basic bootstrap interval.
 *
 * Every held-out evaluation of a front uses the same noise-bank images and bootstrap seed, and
 * resample b draws the same image indices for every schedule (metrics/fid-bootstrap.ts), so the
 * per-budget differences are paired resample by resample across budgets as well: the mean on
 * resample b is (1/|C|) sum_C [FID_b(pick_C) - FID_b(baseline_C)], and the interval is taken over
 * those B means. Negative = OMS-DPM better on average.
 */
import { basicInterval, type BootstrapInterval } from '../metrics/fid-bootstrap';
import { asBootstrapped } from '../front/held-out';
import type { HeldOutScore } from '../front/score-store';
import { KitError } from '../util/errors';

export interface HeldOutPair {
  budget: number;
  pick: HeldOutScore;
  baseline: HeldOutScore;
}

export function meanPairedDifference(pairs: readonly HeldOutPair[], level: number): BootstrapInterval {
  if (pairs.length === 0) throw new KitError('a mean paired difference needs at least one budget', { hint: 'the front has no budget with both a pick and a baseline' });
  const first = pairs[0].pick;
  const resamples = first.resampled.length;
  const mean = new Float64Array(resamples);
  let value = 0;
  for (const p of pairs) {
    for (const s of [p.pick, p.baseline]) {
      if (s.images !== first.images || s.start !== first.start || s.seed !== first.seed || s.resampled.length !== resamples) {
        throw new KitError(`the held-out evaluations at budget ${p.budget} were made on other images or resamples (${s.start}+${s.images}, seed ${s.seed}, ${s.resampled.length} resamples; first: ${first.start}+${first.images}, seed ${first.seed}, ${resamples})`, {
          hint: 'evaluate every pick and baseline with the same search.finalImagesStart, search.finalImages, search.seed and search.bootstrapResamples',
        });
      }
    }
    const a = asBootstrapped(p.pick).resampled;
    const b = asBootstrapped(p.baseline).resampled;
    for (let i = 0; i < resamples; i++) mean[i] += (a[i] - b[i]) / pairs.length;
    value += (p.pick.fid - p.baseline.fid) / pairs.length;
  }
  return basicInterval(value, mean, level);
}

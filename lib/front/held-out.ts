/**
 * The held-out side of a front: every pick, chosen on the selection images, is reported on noise-bank
 * images [start, start + images) that no choice looked at (search.finalImagesStart,
 * search.finalImages). Its FID comes with a basic bootstrap interval over those images
 * (metrics/fid-bootstrap.ts), and the FIDs of one budget are compared in pairs: OMS-DPM minus each
 * baseline, resample by resample on the same images, a win or a loss only when the interval
 * excludes 0.
 */
import type { ResolvedExperiment } from '../config/index';
import { bootstrapFid, fidInterval, pairedFidDifference, prepareReference, verdictOf, type BootstrappedFid, type PreparedReference } from '../metrics/fid-bootstrap';
import type { GaussianStats } from '../metrics/frechet-distance';
import type { ImageMeasures } from '../metrics/image-measures';
import { sampleQuality, type IntensityRange } from '../metrics/sample-quality';
import type { SolverName } from '../schedule/index';
import type { PairedComparison, FrontPoint, FrontSeriesName } from './front-data';
import type { HeldOutScore } from './score-store';

/** The measures of noise-bank images [start, start + count) sampled with a schedule. */
export type FrontMeasurer = (solver: SolverName, schedule: readonly number[], start: number, count: number) => Promise<{ measures: ImageMeasures; engine: string; seconds: number }>;

export interface HeldOutSettings {
  /** noise-bank images [start, start + images) */
  start: number;
  images: number;
  /** bootstrap resamples and their seed */
  resamples: number;
  seed: number;
  /** interval coverage */
  level: number;
}

export const HELD_OUT_LEVEL = 0.95;
export const INTERVAL_METHOD = 'basic bootstrap over held-out images (reference statistics fixed)';

export function heldOutSettings(exp: ResolvedExperiment): HeldOutSettings {
  const s = exp.config.search;
  return { start: s.finalImagesStart, images: s.finalImages, resamples: s.bootstrapResamples, seed: s.seed, level: HELD_OUT_LEVEL };
}

/** What a held-out evaluation needs besides the schedule. */
export interface HeldOutEvaluator {
  settings: HeldOutSettings;
  measure: FrontMeasurer;
  reference: PreparedReference;
  /** the real data's intensity range for the sample-quality numbers; null: no quality numbers */
  qualityRange: IntensityRange | null;
}

export function heldOutEvaluator(settings: HeldOutSettings, measure: FrontMeasurer, reference: GaussianStats, qualityRange: IntensityRange | null): HeldOutEvaluator {
  return { settings, measure, reference: prepareReference(reference), qualityRange };
}

/** Rounded as stored, so a result read back from the cache equals the one computed. */
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Samples the held-out images with the schedule; FID, its resamples and the samples' quality. */
export async function evaluateHeldOut(ev: HeldOutEvaluator, solver: SolverName, schedule: readonly number[]): Promise<HeldOutScore> {
  const h = ev.settings;
  const { measures, engine, seconds } = await ev.measure(solver, schedule, h.start, h.images);
  const b = bootstrapFid(measures, ev.reference, { resamples: h.resamples, seed: h.seed, level: h.level });
  const quality = ev.qualityRange && measures.topClass ? sampleQuality(measures, ev.qualityRange) : null;
  return { kind: 'held-out', solver, schedule: [...schedule], start: h.start, images: h.images, fid: b.fid, seed: h.seed, resampled: Array.from(b.resampled, round6), quality, engine, seconds };
}

export function asBootstrapped(s: HeldOutScore): BootstrappedFid {
  return { fid: s.fid, resampled: Float64Array.from(s.resampled), seed: s.seed, count: s.images };
}

/** The reported fields of a point from its held-out evaluation. */
export function heldOutFields(s: HeldOutScore, level: number): Pick<FrontPoint, 'fid' | 'fidLow' | 'fidHigh' | 'images' | 'quality'> {
  const iv = fidInterval(asBootstrapped(s), level);
  return { fid: s.fid, fidLow: iv.lo, fidHigh: iv.hi, images: s.images, ...(s.quality ? { quality: s.quality } : {}) };
}

/** OMS-DPM's held-out FID minus each baseline's at one budget. */
export function pairedComparisons(budget: number, oms: HeldOutScore, baselines: readonly { series: FrontSeriesName; score: HeldOutScore }[], level: number): PairedComparison[] {
  return baselines.map(({ series, score }) => {
    const d = pairedFidDifference(asBootstrapped(oms), asBootstrapped(score), level);
    return { budget, baseline: series, difference: d.value, low: d.lo, high: d.hi, verdict: verdictOf(d) };
  });
}

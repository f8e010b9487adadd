/**
 * The unit of OMS-DPM's evaluation: a schedule in, a scored record out. Images come from the fixed
 * noise bank (images 0..n-1, so every schedule is a paired comparison), features from the
 * experiment's feature extractor, FID against the training-split reference statistics. The
 * images come from whichever sampling engine the context's denoisers run on; its tag is recorded.
 */
import type { ResolvedExperiment } from '../config/index';
import type { FeatureExtractor } from '../metrics/feature-extractor';
import { featureStats, frechetDistance, type GaussianStats } from '../metrics/frechet-distance';
import { measureImages, type ImageMeasures } from '../metrics/image-measures';
import type { Denoiser } from '../samplers/denoiser';
import { nfe, type SolverName } from '../schedule/index';
import { sampleSchedule } from './sample-schedule';

export interface ScoredSchedule {
  solver: SolverName;
  /** engine tag the images were sampled on ('onnxruntime-cpu', 'tfjs-wasm', ...) */
  engine: string;
  schedule: number[];
  nfe: number;
  fid: number;
  images: number;
  seconds: number;
}

export interface FidContext {
  exp: ResolvedExperiment;
  /** the zoo's denoisers on one sampling engine (lib/zoo/sampling-engine.ts), index 0 = model 1 */
  models: readonly Denoiser[];
  /** that engine's tag, recorded with every score */
  engine: string;
  extractor: FeatureExtractor;
  reference: GaussianStats;
}

/** FID of generated uint8 images against the reference. */
export async function fidOfImages(ctx: FidContext, images: Uint8Array, count: number): Promise<number> {
  const d = ctx.exp.config.dataset;
  const f = await ctx.extractor.features(images, count, d.imageSize, d.imageSize, d.channels);
  return frechetDistance(featureStats(f, count, ctx.extractor.dim), ctx.reference);
}

export async function scoreSchedule(ctx: FidContext, solver: SolverName, entries: readonly number[], images = ctx.exp.config.fid.images): Promise<ScoredSchedule> {
  const t0 = Date.now();
  const pixels = await sampleSchedule(ctx.exp, ctx.models, { solver, entries, start: 0, count: images, batchSize: ctx.exp.config.sampling.batchSize });
  const fid = await fidOfImages(ctx, pixels, images);
  return { solver, engine: ctx.engine, schedule: [...entries], nfe: nfe(entries), fid, images, seconds: (Date.now() - t0) / 1000 };
}

/**
 * The measures (features, classifier output, intensity) of noise-bank images [start, start + count)
 * sampled with the schedule: what a held-out evaluation keeps (FID interval, paired differences,
 * sample quality).
 */
export async function measureSchedule(ctx: FidContext, solver: SolverName, entries: readonly number[], start: number, count: number): Promise<ImageMeasures> {
  const d = ctx.exp.config.dataset;
  const pixels = await sampleSchedule(ctx.exp, ctx.models, { solver, entries, start, count, batchSize: ctx.exp.config.sampling.batchSize });
  return measureImages(ctx.extractor, pixels, count, { height: d.imageSize, width: d.imageSize, channels: d.channels });
}

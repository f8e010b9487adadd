/**
 * Collection throughput (schedules scored per hour) for `npm run bench`, per sampling engine.
 *
 * Estimate (from measured times, per worker process):
 *
 *   seconds per schedule = (mean NFE x images / batch x forward ms of the mean model + feature ms) / 1000
 *   schedules per hour   = workers x 3600 / seconds per schedule
 *
 *   mean NFE      expected NFE of the dataset's random-schedule distribution (lib/schedule/random.ts):
 *                 L (1 - q) / (1 - q^L), the mean number of non-null positions given at least one
 *                 (a draw with none is redrawn); q = collection.nullProbability.
 *   images        fid.images, the images generated per schedule (the experiment's default).
 *   batch         the batch size the forward time was measured at; time is taken as linear in the
 *                 batch size (collection samples in batches of sampling.batchSize).
 *   forward ms    of the mean model: the plain average over the zoo, since the distribution's
 *                 Dirichlet preference is symmetric (each model is equally likely per NFE).
 *   feature ms    feature extraction of `images` generated images plus the FID statistics
 *                 (mean, covariance, Frechet distance), measured here with the experiment's
 *                 feature network (the trained one if present, else the label classifier with
 *                 random weights: same cost).
 *   workers       parallel worker processes assumed on this machine's cores, each with its own
 *                 single-threaded engine (TF.js WASM is single-threaded; ONNX Runtime gets one
 *                 intra-op thread per worker, `recommendOrtSplit`); perfect scaling is assumed.
 *
 * Cross-check (when a trained zoo and its FID reference exist): one real `scoreSchedule` of a
 * dataset schedule (record 0 of the collection's random schedules) with a reduced image count, in
 * this process on one worker, against the same formula for that very schedule (its own models and
 * NFE) and image count. The ratio measured / predicted calibrates the estimate.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ResolvedExperiment } from '../config/index';
import { jobFor, scheduleLength } from '../collection/schedule-job';
import { streamRng } from '../util/rng';
import { scoreSchedule, type FidContext } from '../evaluation/schedule-fid';
import { loadLabelClassifier, loadTfjsFeatureModel } from '../metrics/feature-extractor';
import { featureNetBatchedFeatures, featureNetParams, type FeatureParams } from '../metrics/feature-network';
import { ensureFidReference, fidPaths, referenceKey } from '../metrics/fid-reference';
import { featureStats, frechetDistance } from '../metrics/frechet-distance';
import { recommendOrtSplit } from '../onnx/onnx-runtime';
import { nfe as countNfe, scheduleCost, type SolverName } from '../schedule/index';
import { disposeSamplingModels, loadSamplingModels, type SamplingEngine } from '../zoo/sampling-engine';
import { engineTag, zooPaths } from '../zoo/workspace';
import { secondsOf } from './timing';

// ---------------------------------------------------------------------------------------------
// The formula

export interface ThroughputInputs {
  /** mean NFE per schedule */
  meanNfe: number;
  /** images generated per schedule */
  images: number;
  /** batch size the forward time was measured at */
  batch: number;
  /** forward time of one network evaluation of the mean model at `batch` (ms) */
  forwardMs: number;
  /** feature extraction + FID statistics of `images` images (ms) */
  featureMs: number;
  /** parallel worker processes */
  workers: number;
}

export interface ThroughputEstimate {
  secondsPerSchedule: number;
  schedulesPerHourPerWorker: number;
  /** all workers together */
  schedulesPerHour: number;
}

export function collectionThroughput(i: ThroughputInputs): ThroughputEstimate {
  for (const [k, v] of Object.entries(i)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`collectionThroughput: ${k} must be a finite number >= 0, got ${String(v)}`);
  }
  if (i.batch <= 0 || i.workers <= 0) throw new Error('collectionThroughput: batch and workers must be positive');
  const secondsPerSchedule = (i.meanNfe * (i.images / i.batch) * i.forwardMs + i.featureMs) / 1000;
  if (!(secondsPerSchedule > 0)) throw new Error('collectionThroughput: a schedule takes no time with these inputs');
  const perWorker = 3600 / secondsPerSchedule;
  return { secondsPerSchedule, schedulesPerHourPerWorker: perWorker, schedulesPerHour: perWorker * i.workers };
}

/** Expected NFE of a random schedule of length L with null probability q, given at least one NFE. */
export function expectedRandomNfe(length: number, nullProbability: number): number {
  return (length * (1 - nullProbability)) / (1 - Math.pow(nullProbability, length));
}

// ---------------------------------------------------------------------------------------------
// Feature extraction and FID statistics

export interface FidScoringTime {
  images: number;
  /** feature extraction of `images` uint8 images (ms) */
  featureExtractionMs: number;
  /** mean, covariance and Frechet distance of their features (ms) */
  statsMs: number;
  /** the two together: the `featureMs` of the formula */
  totalMs: number;
  /** which network was timed */
  network: string;
}

type Features = (images: Uint8Array, count: number) => Promise<{ data: Float32Array; dim: number }>;

/** The label classifier's feature pass with random weights (for timing when none is trained yet). */
function randomLabelClassifier(h: number, w: number, c: number): { features: Features; dispose: () => void } {
  const rng = streamRng(0, 'bench-feature-net');
  const params: FeatureParams = {};
  for (const spec of featureNetParams({ height: h, width: w, channels: c, classes: 10 })) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const bound = 1 / Math.sqrt(spec.fanIn);
    params[spec.name] = tf.tensor(Float32Array.from({ length: n }, () => (2 * rng() - 1) * bound), spec.shape);
  }
  return {
    async features(images, count) {
      return { data: await featureNetBatchedFeatures(params, images, count, h, w, c), dim: params['fc2.b'].shape[0] };
    },
    dispose: () => tf.dispose(Object.values(params)),
  };
}

/**
 * Times the FID side of scoring one schedule: features of `images` random images and their
 * statistics. Null (with the reason) when the experiment's feature network is a TF.js model folder
 * that is not there.
 */
export async function timeFidScoring(exp: ResolvedExperiment, images: number): Promise<FidScoringTime | { error: string }> {
  const d = exp.config.dataset;
  const fid = exp.config.fid;
  let net: { features: Features; dispose: () => void; name: string };
  if (fid.featureNetwork === 'label-classifier') {
    const file = fidPaths(exp).featureNet;
    if (fs.existsSync(file)) {
      const e = loadLabelClassifier(file);
      net = { features: async (x, n) => ({ data: await e.features(x, n, d.imageSize, d.imageSize, d.channels), dim: e.dim }), dispose: () => e.dispose(), name: `trained ${e.describe()}` };
    } else {
      const r = randomLabelClassifier(d.imageSize, d.imageSize, d.channels);
      net = { ...r, name: 'label-classifier CNN with random weights (not trained yet; same cost)' };
    }
  } else {
    if (!fs.existsSync(path.join(fid.featureNetwork, 'model.json'))) return { error: `feature network ${fid.featureNetwork} not found (fid.featureNetwork)` };
    const e = await loadTfjsFeatureModel(fid.featureNetwork);
    net = { features: async (x, n) => ({ data: await e.features(x, n, d.imageSize, d.imageSize, d.channels), dim: e.dim }), dispose: () => e.dispose(), name: e.describe() };
  }
  try {
    const per = d.imageSize * d.imageSize * d.channels;
    const rng = streamRng(0, 'bench-feature-images');
    const pixels = Uint8Array.from({ length: images * per }, () => Math.floor(rng() * 256));
    await net.features(pixels.subarray(0, Math.min(images, 16) * per), Math.min(images, 16)); // warm-up
    const ext = await secondsOf(() => net.features(pixels, images));
    const fidOf = () => {
      const s = featureStats(ext.value.data, images, ext.value.dim);
      return frechetDistance(s, s);
    };
    fidOf(); // warm-up (first-call compilation of the matrix code)
    const stats = await secondsOf(fidOf);
    const featureExtractionMs = ext.seconds * 1000;
    const statsMs = stats.seconds * 1000;
    return { images, featureExtractionMs, statsMs, totalMs: featureExtractionMs + statsMs, network: net.name };
  } finally {
    net.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Per-engine estimate

export interface WorkerPlan { workers: number; threadsPerWorker: number; rule: string }

/** Workers assumed for an engine on `cores` cores (see the header). */
export function workersFor(engine: SamplingEngine, tfjsBackend: string, cores = os.availableParallelism()): WorkerPlan {
  if (engine === 'onnx') {
    const s = recommendOrtSplit({ cores });
    return { workers: s.workers, threadsPerWorker: s.intraOpThreads, rule: s.reason };
  }
  if (tfjsBackend === 'tensorflow') return { workers: 1, threadsPerWorker: cores, rule: 'tfjs-node uses every core within one process: 1 worker' };
  return { workers: cores, threadsPerWorker: 1, rule: `TF.js ${tfjsBackend} is single-threaded: one worker per core (${cores})` };
}

export interface SolverThroughput extends ThroughputEstimate {
  solver: SolverName;
  length: number;
  meanNfe: number;
}

export interface EngineThroughput {
  engine: SamplingEngine;
  /** engine tag: 'onnxruntime-cpu', 'tfjs-wasm', ... */
  tag: string;
  workers: number;
  threadsPerWorker: number;
  workersRule: string;
  images: number;
  forwardBatch: number;
  /** per zoo model, the forward time used (ms at forwardBatch, on threadsPerWorker threads) */
  forwardMsByModel: Record<string, number>;
  meanModelForwardMs: number;
  featureMs: number;
  solvers: SolverThroughput[];
}

export function estimateEngineThroughput(
  exp: ResolvedExperiment,
  o: { engine: SamplingEngine; tag: string; plan: WorkerPlan; forwardMsByModel: Record<string, number>; forwardBatch: number; featureMs: number; images?: number },
): EngineThroughput {
  const ids = exp.config.zoo.map((m) => m.id);
  const mean = ids.reduce((a, id) => a + o.forwardMsByModel[id], 0) / ids.length;
  const images = o.images ?? exp.config.fid.images;
  const c = exp.config.collection;
  const solvers = (['ddim', 'dpm-solver'] as const).map((solver) => {
    const length = scheduleLength(c, solver);
    const meanNfe = expectedRandomNfe(length, c.nullProbability);
    return { solver, length, meanNfe, ...collectionThroughput({ meanNfe, images, batch: o.forwardBatch, forwardMs: mean, featureMs: o.featureMs, workers: o.plan.workers }) };
  });
  return {
    engine: o.engine,
    tag: o.tag,
    workers: o.plan.workers,
    threadsPerWorker: o.plan.threadsPerWorker,
    workersRule: o.plan.rule,
    images,
    forwardBatch: o.forwardBatch,
    forwardMsByModel: { ...o.forwardMsByModel },
    meanModelForwardMs: mean,
    featureMs: o.featureMs,
    solvers,
  };
}

// ---------------------------------------------------------------------------------------------
// Cross-check with a real scoreSchedule

/** Why the cross-check cannot run here (no trained zoo, no FID reference), or null when it can. */
export function crossCheckUnavailable(exp: ResolvedExperiment): string | null {
  const missing = exp.config.zoo.filter((m) => !fs.existsSync(zooPaths(exp, m.id).weights)).map((m) => m.id);
  if (missing.length) return `no trained zoo (${missing.length === exp.config.zoo.length ? 'no member' : `members ${missing.join(', ')} not`} trained; oms-dpm train-zoo --experiment ${exp.config.name})`;
  const p = fidPaths(exp);
  let key: string | null = null;
  try {
    key = (JSON.parse(fs.readFileSync(p.summary, 'utf8')) as { key?: string }).key ?? null;
  } catch {
    key = null;
  }
  if (key === null || !fs.existsSync(p.stats)) return `no FID reference (oms-dpm fid-reference --experiment ${exp.config.name})`;
  if (key !== referenceKey(exp)) return `the FID reference is stale for this config (oms-dpm fid-reference --experiment ${exp.config.name})`;
  return null;
}

export interface CollectionCheck {
  engine: string;
  solver: SolverName;
  /** record id of the collection's random schedules */
  scheduleId: number;
  schedule: number[];
  nfe: number;
  images: number;
  /** scoreSchedule wall time (one worker, this process) */
  measuredSeconds: number;
  /** the formula for this schedule's models and NFE at this image count */
  predictedSeconds: number;
  /** measured / predicted */
  ratio: number;
  fid: number;
}

/**
 * Scores record `scheduleId` of the collection's random `solver` schedules with `images` images on
 * `engine` (ONNX Runtime: one intra-op thread, as a collection worker), after one untimed forward
 * of every model at that batch size, and compares with the formula's prediction.
 */
export async function crossCheckCollection(
  exp: ResolvedExperiment,
  o: { engine: SamplingEngine; tfjsBackend: string; solver: SolverName; images: number; forwardMsByModel: Record<string, number>; forwardBatch: number; fid: FidScoringTime; scheduleId?: number; onExport?: (msg: string) => void },
): Promise<CollectionCheck> {
  const ids = exp.config.zoo.map((m) => m.id);
  const id = o.scheduleId ?? 0;
  const job = jobFor(exp.config.collection, o.solver, ids.length, exp.config.diffusion.timesteps, id);
  const ref = await ensureFidReference(exp);
  const models = await loadSamplingModels(exp, o.engine, { threads: 1, onExport: (e) => o.onExport?.(`${e.modelId}: exported ${e.file} (${e.reason})`) });
  try {
    const ctx: FidContext = { exp, models: models.map((m) => m.denoiser), engine: engineTag(o.engine, o.tfjsBackend), extractor: ref.extractor, reference: ref.stats };
    const d = exp.config.dataset;
    const n = Math.min(o.images, exp.config.sampling.batchSize);
    const x = tf.zeros([n, d.imageSize, d.imageSize, d.channels]) as tf.Tensor4D;
    try {
      for (const m of models) {
        const y = await m.denoiser(x, 500, 0);
        await y.data();
        y.dispose();
      }
    } finally {
      x.dispose();
    }
    const { seconds, value } = await secondsOf(() => scoreSchedule(ctx, o.solver, job.schedule, o.images));
    const latency = [0, ...ids.map((m) => o.forwardMsByModel[m])];
    const samplingMs = scheduleCost(job.schedule, latency) * (o.images / o.forwardBatch);
    const featureMs = o.fid.featureExtractionMs * (o.images / o.fid.images) + o.fid.statsMs;
    const predictedSeconds = (samplingMs + featureMs) / 1000;
    return {
      engine: ctx.engine,
      solver: o.solver,
      scheduleId: id,
      schedule: job.schedule,
      nfe: countNfe(job.schedule),
      images: o.images,
      measuredSeconds: seconds,
      predictedSeconds,
      ratio: seconds / predictedSeconds,
      fid: value.fid,
    };
  } finally {
    ref.extractor.dispose();
    await disposeSamplingModels(models);
  }
}

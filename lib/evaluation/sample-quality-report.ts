/**
 * How recognisable each zoo member's samples are (issue 17): every model alone with DDIM at each of
 * `sampleQuality.ddimSteps`, sampled on the held-out noise-bank images [search.finalImagesStart,
 * + search.finalImages) on a pool of scoring workers, measured with the experiment's label
 * classifier (metrics/sample-quality.ts), next to the same numbers on the real validation split
 * (the ceiling, real-quality.ts). Written to results/<experiment>/sample-quality.json after every
 * row (atomically), so a kill loses at most the row in flight; a rerun keeps the rows of a file
 * made with the same config hash, zoo weights and engine. Used by `oms-dpm sample-quality` and the
 * pipeline; reports progress through callbacks and prints nothing.
 */
import type { ResolvedExperiment } from '../config/index';
import { readTensorFile } from '../diffusion/tensor-file';
import { ensureFidReference } from '../metrics/fid-reference';
import { featureStats, frechetDistance, type GaussianStats } from '../metrics/frechet-distance';
import type { ImageMeasures } from '../metrics/image-measures';
import { CONFIDENT_PROBABILITY, INTENSITY_PERCENTILE, sampleQuality, type IntensityRange, type SampleQuality } from '../metrics/sample-quality';
import { makeProvenance, type Provenance } from '../config/provenance';
import { nfe } from '../schedule/index';
import { writeJsonAtomic } from '../util/atomic-file';
import { KitError } from '../util/errors';
import { readJsonIfExists } from '../util/json-file';
import { engineRecord, type EngineChoice, type OnnxExportEvent } from '../zoo/sampling-engine';
import { sampleQualityFile, zooPaths } from '../zoo/workspace';
import { ddimSingleModel } from './first-observation';
import { realImageQuality, writeRealImageGrid } from './real-quality';
import { ScoringPool } from './scoring-pool';

export const SAMPLE_QUALITY_KIND = 'oms-dpm-sample-quality';

export interface SampleQualityRow {
  modelId: string;
  /** 1-based index of the model in the zoo (its number in schedules) */
  model: number;
  solver: 'ddim';
  steps: number;
  nfe: number;
  /** the engine tag the images were sampled on */
  engine: string;
  images: number;
  /** FID of these held-out samples against the training-split reference */
  fid: number;
  quality: SampleQuality;
  /** worker seconds spent sampling and measuring (summed over chunks) */
  seconds: number;
}

export interface SampleQualityReport {
  kind: typeof SAMPLE_QUALITY_KIND;
  version: 1;
  experiment: string;
  configHash: string;
  /** sha256 of every zoo member's EMA weights file, by model id */
  weights: Record<string, string>;
  /** the engine tag of the sampling engine chosen */
  engine: string;
  featureNetwork: string;
  /** the held-out noise-bank images every row is sampled on */
  heldOut: { start: number; images: number };
  ddimSteps: number[];
  confidentProbability: number;
  intensityPercentile: number;
  /** the real data's mean-intensity range (validation split, percentiles above) */
  range: IntensityRange;
  /** the same numbers on the real validation split: the ceiling */
  real: SampleQuality & { data: string };
  /** one row per (model, steps), in zoo order then steps order; fewer while the run is unfinished */
  rows: SampleQualityRow[];
  /** rows planned: zoo size x steps */
  plannedRows: number;
  engineChoice: ReturnType<typeof engineRecord>;
  provenance: Provenance;
}

export interface SampleQualityProgress {
  /** held-out images sampled and measured so far in this run (over the rows still to do) */
  done: number;
  total: number;
  modelId: string;
  steps: number;
}

export interface SampleQualityOptions {
  /** scoring worker processes (default collection.workers) */
  workers?: number;
  /** told how many rows a previous run left and how many are to do, before any sampling */
  onReady?: (kept: number, todo: number, workers: number) => void;
  /** told about every model.onnx (re-)exported before the workers start */
  onExport?: (e: OnnxExportEvent) => void;
  onProgress?: (p: SampleQualityProgress) => void;
  /** told each finished row (after the file is written) */
  onRow?: (row: SampleQualityRow) => void;
}

/** The steps list without repeats, in the configured order. */
export function sampleQualitySteps(exp: ResolvedExperiment): number[] {
  return [...new Set(exp.config.sampleQuality.ddimSteps)];
}

/** The held-out noise-bank images of the report. */
export function sampleQualityHeldOut(exp: ResolvedExperiment): { start: number; images: number } {
  return { start: exp.config.search.finalImagesStart, images: exp.config.search.finalImages };
}

function zooWeights(exp: ResolvedExperiment): Record<string, string> {
  return Object.fromEntries(exp.config.zoo.map((m) => [m.id, readTensorFile(zooPaths(exp, m.id).weights, `weights of zoo model '${m.id}'`).sha256]));
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The rows of an existing report that this run can keep: same kind, config hash, zoo weights,
 * engine and held-out images (and only rows of the current plan).
 */
function keptRows(file: string, exp: ResolvedExperiment, weights: Record<string, string>, engine: string, heldOut: { start: number; images: number }): SampleQualityRow[] {
  const old = readJsonIfExists<Partial<SampleQualityReport>>(file, 'sample-quality report', 'delete it and rerun: oms-dpm sample-quality');
  if (!old || old.kind !== SAMPLE_QUALITY_KIND || old.configHash !== exp.hash || old.engine !== engine) return [];
  if (!sameJson(old.weights, weights) || !sameJson(old.heldOut, heldOut) || !Array.isArray(old.rows)) return [];
  const steps = sampleQualitySteps(exp);
  return old.rows.filter((r) => exp.config.zoo.some((m) => m.id === r.modelId) && steps.includes(r.steps));
}

/** Noise-bank chunks [start, start + count) of a row: multiples of the sampling batch, a few per worker (progress, balance). */
export function heldOutChunks(heldOut: { start: number; images: number }, batchSize: number, workers: number): { start: number; count: number }[] {
  const size = Math.max(batchSize, Math.ceil(heldOut.images / (4 * workers) / batchSize) * batchSize);
  const chunks: { start: number; count: number }[] = [];
  for (let s = 0; s < heldOut.images; s += size) chunks.push({ start: heldOut.start + s, count: Math.min(size, heldOut.images - s) });
  return chunks;
}

/** The measures of consecutive image ranges as one set (classifier outputs present in all or none). */
export function concatMeasures(parts: readonly ImageMeasures[]): ImageMeasures {
  if (parts.length === 0) throw new KitError('no image measures to join');
  const count = parts.reduce((n, p) => n + p.count, 0);
  const { dim, classes } = parts[0];
  if (parts.some((p) => p.dim !== dim || p.classes !== classes || (p.topClass === null) !== (parts[0].topClass === null))) {
    throw new KitError('image measures of different feature networks cannot be joined');
  }
  const join = <T extends Float32Array | Int32Array>(make: (n: number) => T, pick: (p: ImageMeasures) => T, width: number): T => {
    const out = make(count * width);
    let off = 0;
    for (const p of parts) {
      out.set(pick(p), off);
      off += p.count * width;
    }
    return out;
  };
  const f32 = (n: number) => new Float32Array(n);
  const hasClasses = parts[0].topClass !== null;
  return {
    count,
    dim,
    classes,
    features: join(f32, (p) => p.features, dim),
    topClass: hasClasses ? join((n) => new Int32Array(n), (p) => p.topClass!, 1) : null,
    topProb: hasClasses ? join(f32, (p) => p.topProb!, 1) : null,
    meanIntensity: join(f32, (p) => p.meanIntensity, 1),
  };
}

/**
 * One (zoo model, DDIM steps) row: its held-out images spread over the pool's workers in `chunks`,
 * measured together against the real images (FID and sample quality). `onChunk` after each chunk.
 */
async function measureRow(
  pool: ScoringPool,
  chunks: readonly { start: number; count: number }[],
  p: { modelId: string; model: number; steps: number },
  ctx: { stats: GaussianStats; range: IntensityRange; onChunk: (count: number) => void },
): Promise<SampleQualityRow> {
  const schedule = ddimSingleModel(p.model, p.steps);
  const parts = await Promise.all(
    chunks.map(async (c) => {
      const r = await pool.measure('ddim', schedule, c.start, c.count).catch((e: Error) => {
        throw new KitError(`sample quality of ${p.modelId} with DDIM-${p.steps}: ${e.message}`, { hint: e instanceof KitError ? e.hint : undefined });
      });
      ctx.onChunk(c.count);
      return r;
    }),
  );
  const measures = concatMeasures(parts.map((x) => x.measures));
  return {
    modelId: p.modelId,
    model: p.model,
    solver: 'ddim',
    steps: p.steps,
    nfe: nfe(schedule),
    engine: pool.engine,
    images: measures.count,
    fid: frechetDistance(featureStats(measures.features, measures.count, measures.dim), ctx.stats),
    quality: sampleQuality(measures, ctx.range),
    seconds: parts.reduce((s, x) => s + x.seconds, 0),
  };
}

/**
 * Measures every (zoo model, DDIM steps) row not yet in the file and writes the report after each
 * one. Throws the KitError of metrics/sample-quality.ts (before sampling) when the experiment's
 * feature network is not a label classifier.
 */
export async function writeSampleQuality(exp: ResolvedExperiment, choice: EngineChoice, opts: SampleQualityOptions = {}): Promise<{ file: string; realGrid: string; report: SampleQualityReport }> {
  const file = sampleQualityFile(exp);
  const heldOut = sampleQualityHeldOut(exp);
  const steps = sampleQualitySteps(exp);
  const weights = zooWeights(exp);
  const ref = await ensureFidReference(exp); // once here, so the workers never race to build it
  let real: Awaited<ReturnType<typeof realImageQuality>>;
  try {
    real = await realImageQuality(exp, ref.extractor);
  } finally {
    ref.extractor.dispose();
  }
  const realGrid = writeRealImageGrid(exp);
  const plan = exp.config.zoo.flatMap((m, i) => steps.map((s) => ({ modelId: m.id, model: i + 1, steps: s })));
  const kept = keptRows(file, exp, weights, choice.tag, heldOut);
  const has = (p: { modelId: string; steps: number }) => kept.some((r) => r.modelId === p.modelId && r.steps === p.steps);
  const todo = plan.filter((p) => !has(p));
  const rows: SampleQualityRow[] = [...kept];
  const report = (): SampleQualityReport => ({
    kind: SAMPLE_QUALITY_KIND,
    version: 1,
    experiment: exp.config.name,
    configHash: exp.hash,
    weights,
    engine: choice.tag,
    featureNetwork: ref.description,
    heldOut,
    ddimSteps: steps,
    confidentProbability: CONFIDENT_PROBABILITY,
    intensityPercentile: INTENSITY_PERCENTILE,
    range: real.range,
    real: { data: `${exp.config.dataset.name}[validation split]`, ...real.quality },
    // in plan order, whatever order they were measured in
    rows: plan.flatMap((p) => rows.filter((r) => r.modelId === p.modelId && r.steps === p.steps)),
    plannedRows: plan.length,
    engineChoice: engineRecord(choice),
    provenance: makeProvenance(exp),
  });
  const workers = Math.max(1, opts.workers ?? exp.config.collection.workers);
  opts.onReady?.(kept.length, todo.length, todo.length ? workers : 0);
  let written = report();
  if (todo.length === 0) {
    writeJsonAtomic(file, written);
    return { file, realGrid, report: written };
  }

  const chunks = heldOutChunks(heldOut, exp.config.sampling.batchSize, workers);
  const total = todo.length * heldOut.images;
  let done = 0;
  const pool = await ScoringPool.start(exp, { engine: choice.engine, workers, onExport: opts.onExport });
  try {
    // one row at a time, its images spread over the workers: a kill loses only that row
    for (const p of todo) {
      const row = await measureRow(pool, chunks, p, {
        stats: ref.stats,
        range: real.range,
        onChunk: (count) => {
          done += count;
          opts.onProgress?.({ done, total, modelId: p.modelId, steps: p.steps });
        },
      });
      rows.push(row);
      written = report();
      writeJsonAtomic(file, written);
      opts.onRow?.(row);
    }
  } finally {
    pool.close();
  }
  return { file, realGrid, report: written };
}

/**
 * A zoo member's learning curve: how recognisable its samples are against training steps. Every
 * EMA snapshot the trainer kept (`training.snapshotEvery`, runs/<exp>/zoo/<model>/snapshots/) is
 * exported to ONNX in memory, draws `images` held-out noise-bank images (from
 * search.finalImagesStart) with single-model DDIM, and is measured with the experiment's label
 * classifier: confident share, class balance, off-range share and FID, as in the sample-quality
 * report. It is what says where an unfinished or under-trained member is heading.
 *
 * Written to results/<exp>/zoo/<model>/learning-curve.json after every point (atomically); a rerun
 * keeps the points whose snapshot file, images, steps and feature network are unchanged, so it
 * only measures new snapshots (the curve of a member still training grows session by session).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveModelTraining, type ResolvedExperiment } from '../config/index';
import { readTensorFile, type TensorFile } from '../diffusion/tensor-file';
import { planUNet } from '../diffusion/unet-spec';
import { ensureFidReference, type FidReference } from '../metrics/fid-reference';
import { featureStats, frechetDistance } from '../metrics/frechet-distance';
import { measureImages } from '../metrics/image-measures';
import { sampleQuality, type IntensityRange, type SampleQuality } from '../metrics/sample-quality';
import { OnnxModel, onnxDenoiser } from '../onnx/onnx-denoiser';
import { unetToOnnx } from '../onnx/unet-to-onnx';
import { makeProvenance, type Provenance } from '../config/provenance';
import { writeJsonAtomic } from '../util/atomic-file';
import { KitError } from '../util/errors';
import { readJsonIfExists } from '../util/json-file';
import { archFor, trainingIdentity } from '../zoo/zoo-model';
import { sampleWithDdim } from '../zoo/zoo-sampling';
import { zooPaths } from '../zoo/workspace';
import { realImageQuality } from './real-quality';

export const LEARNING_CURVE_KIND = 'oms-dpm-learning-curve';

export interface LearningCurvePoint {
  step: number;
  /** sha256 of the snapshot's tensor payload */
  snapshotSha256: string;
  images: number;
  /** FID of these held-out samples against the training-split reference (few images: biased up) */
  fid: number;
  quality: SampleQuality;
  /** seconds spent sampling and measuring this point */
  seconds: number;
}

export interface LearningCurveReport {
  kind: typeof LEARNING_CURVE_KIND;
  version: 1;
  experiment: string;
  modelId: string;
  iterations: number;
  engine: 'onnxruntime-cpu';
  ddimSteps: number;
  heldOut: { start: number; images: number };
  featureNetwork: string;
  range: IntensityRange;
  /** the same numbers on the real validation split: the ceiling */
  real: SampleQuality;
  /** by step */
  points: LearningCurvePoint[];
  provenance: Provenance;
}

export interface LearningCurveOptions {
  images: number;
  ddimSteps: number;
  /** ONNX Runtime intra-op threads */
  threads: number;
  /** told how many points a previous run left and how many snapshots are to measure */
  onReady?: (kept: number, todo: number) => void;
  onPoint?: (p: LearningCurvePoint) => void;
}

export function learningCurveFile(exp: ResolvedExperiment, modelId: string): string {
  return path.join(zooPaths(exp, modelId).dir, 'learning-curve.json');
}

/** The steps of the member's snapshots on disk, ascending. */
export function snapshotSteps(exp: ResolvedExperiment, modelId: string): number[] {
  const dir = path.dirname(zooPaths(exp, modelId).snapshot(0));
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((f) => /^ema-(\d+)\.bin$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** The snapshot steps of `modelId` to measure, after checking that the request can be met (a zoo model, snapshots, enough held-out images). */
function checkedSnapshotSteps(exp: ResolvedExperiment, modelId: string, images: number): number[] {
  if (!exp.config.zoo.some((m) => m.id === modelId)) {
    throw new KitError(`'${modelId}' is not a model of experiment '${exp.config.name}'`, { hint: `models: ${exp.config.zoo.map((m) => m.id).join(', ')}` });
  }
  const steps = snapshotSteps(exp, modelId);
  if (steps.length === 0) {
    throw new KitError(`model '${modelId}' has no training snapshots in ${path.dirname(zooPaths(exp, modelId).snapshot(0))}`, {
      hint: `train it with training.snapshotEvery set (e.g. --set training.snapshotEvery=1000): oms-dpm train-zoo --experiment ${exp.config.name} --model ${modelId} --resume`,
    });
  }
  const s = exp.config.search;
  if (images > s.finalImages) {
    throw new KitError(`learning-curve --images ${images} exceeds the held-out set (search.finalImages = ${s.finalImages})`, { hint: `use at most ${s.finalImages} images` });
  }
  return steps;
}

/** Reads every snapshot, refusing one that is not the snapshot of its step or was made with another architecture or training config. */
function readSnapshots(exp: ResolvedExperiment, modelId: string, steps: readonly number[]): { step: number; file: TensorFile }[] {
  const identity = JSON.stringify(trainingIdentity(exp.config, modelId));
  return steps.map((step) => {
    const f = readTensorFile<{ kind?: string; step?: number; identity?: unknown }>(zooPaths(exp, modelId).snapshot(step), `training snapshot of '${modelId}'`);
    if (f.meta.kind !== 'oms-dpm-training-snapshot' || f.meta.step !== step) {
      throw new KitError(`${zooPaths(exp, modelId).snapshot(step)} is not the training snapshot of step ${step}`, { hint: 'delete it; the next training run writes it again' });
    }
    if (JSON.stringify(f.meta.identity) !== identity) {
      throw new KitError(`the snapshot ${zooPaths(exp, modelId).snapshot(step)} was made with another architecture or training config than '${modelId}' now has`, {
        hint: `delete ${path.dirname(zooPaths(exp, modelId).snapshot(0))} (snapshots of an older run) or restore the config it was trained with`,
      });
    }
    return { step, file: f };
  });
}

/** One snapshot's point: exported to ONNX in memory, DDIM samples on the held-out noise, measured against the real images. */
async function measureSnapshot(
  exp: ResolvedExperiment,
  modelId: string,
  snapshot: { step: number; file: TensorFile },
  ctx: { ref: FidReference; range: IntensityRange; heldOut: { start: number; images: number }; ddimSteps: number; threads: number },
): Promise<LearningCurvePoint> {
  const { step, file: snap } = snapshot;
  const t0 = Date.now();
  const plan = planUNet(archFor(exp.config, modelId));
  const d = exp.config.dataset;
  const images = ctx.heldOut.images;
  const bytes = unetToOnnx(plan, snap.arrays, { weightsSha256: snap.sha256, modelId, step });
  const model = await OnnxModel.fromBytes(bytes, `${modelId} snapshot ${step}`, {}, { intraOpNumThreads: ctx.threads });
  let pixels: Uint8Array;
  try {
    pixels = await sampleWithDdim(exp, onnxDenoiser(model), { count: images, steps: ctx.ddimSteps, start: ctx.heldOut.start });
  } finally {
    await model.release();
  }
  const m = await measureImages(ctx.ref.extractor, pixels, images, { height: d.imageSize, width: d.imageSize, channels: d.channels });
  return {
    step,
    snapshotSha256: snap.sha256,
    images,
    fid: frechetDistance(featureStats(m.features, images, m.dim), ctx.ref.stats),
    quality: sampleQuality(m, ctx.range),
    seconds: (Date.now() - t0) / 1000,
  };
}

export async function learningCurve(exp: ResolvedExperiment, modelId: string, o: LearningCurveOptions): Promise<{ file: string; report: LearningCurveReport }> {
  const steps = checkedSnapshotSteps(exp, modelId, o.images);
  const s = exp.config.search;
  const heldOut = { start: s.finalImagesStart, images: o.images };
  const file = learningCurveFile(exp, modelId);
  const old = readJsonIfExists<Partial<LearningCurveReport>>(file, 'learning curve', `delete it and rerun: oms-dpm learning-curve --experiment ${exp.config.name} --model ${modelId}`);
  const ref = await ensureFidReference(exp);
  // a point is kept only if measured the same way: steps, held-out images and the feature network
  // (its description names the weights' sha256: a retrained or re-stored classifier measures anew)
  const reusable =
    old?.kind === LEARNING_CURVE_KIND &&
    old.ddimSteps === o.ddimSteps &&
    JSON.stringify(old.heldOut) === JSON.stringify(heldOut) &&
    old.featureNetwork === ref.description &&
    Array.isArray(old.points);
  try {
    const snapshots = readSnapshots(exp, modelId, steps);
    const kept = new Map((reusable ? old!.points! : []).map((p) => [p.step, p]));
    const todo = snapshots.filter((x) => kept.get(x.step)?.snapshotSha256 !== x.file.sha256);
    const keptPoints = snapshots.filter((x) => !todo.includes(x)).map((x) => kept.get(x.step)!);
    o.onReady?.(keptPoints.length, todo.length);
    // nothing measured and nothing dropped: the file stays as it is, its provenance naming the run that
    // measured, and the real images need not be judged again
    if (todo.length === 0 && reusable && keptPoints.length === old!.points!.length) return { file, report: old as LearningCurveReport };
    const real = await realImageQuality(exp, ref.extractor);
    const report: LearningCurveReport = {
      kind: LEARNING_CURVE_KIND,
      version: 1,
      experiment: exp.config.name,
      modelId,
      iterations: resolveModelTraining(exp.config, modelId).iterations,
      engine: 'onnxruntime-cpu',
      ddimSteps: o.ddimSteps,
      heldOut,
      featureNetwork: ref.description,
      range: real.range,
      real: real.quality,
      points: keptPoints,
      provenance: makeProvenance(exp),
    };
    for (const snapshot of todo) {
      const point = await measureSnapshot(exp, modelId, snapshot, { ref, range: real.range, heldOut, ddimSteps: o.ddimSteps, threads: o.threads });
      report.points = [...report.points, point].sort((a, b) => a.step - b.step);
      writeJsonAtomic(file, report);
      o.onPoint?.(point);
    }
    writeJsonAtomic(file, report);
    return { file, report };
  } finally {
    ref.extractor.dispose();
  }
}

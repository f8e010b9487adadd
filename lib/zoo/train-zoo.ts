/**
 * Trains an experiment's zoo, one model at a time, and writes what the later stages and the
 * report need: EMA weights, their ONNX export (model.onnx + model.onnx.json, for the ONNX Runtime
 * sampling engine), loss curve, a summary with provenance, and a sample grid.
 * A model whose weights already exist for the same training identity and iteration count is
 * skipped (its export is still checked and remade if missing or stale); valid weights of another
 * identity or iteration count are retrained, except finished float32 weights when storage.weights
 * is float16, which are rounded in place; an unreadable weights file is an error unless
 * `retrainUnreadable` (never overwritten silently); a kill mid-training loses
 * at most `checkpointEvery` steps (resume with `resume`).
 */
import * as fs from 'node:fs';
import { resolveModelTraining, type ResolvedExperiment } from '../config/index';
import { loadDataset } from '../data/registry';
import { subsetDataset, type ImageDataset } from '../data/image-dataset';
import { loadOrCreateSplit } from '../data/split';
import { scheduleFromConfig } from '../diffusion/noise-schedule';
import { readTensorFile, writeTensorFile, type TensorFile } from '../diffusion/tensor-file';
import { trainModel, type TrainProgress, type TrainerSettings } from '../diffusion/trainer';
import { countParams, planUNet } from '../diffusion/unet-spec';
import { SAMPLE_GRID_COLUMNS, writeImageGrid } from '../data/image-grid';
import { makeProvenance } from '../config/provenance';
import { writeJsonAtomic } from '../util/atomic-file';
import { ensureZooOnnx, exportZooModelToOnnx, type ZooOnnxExport } from './zoo-onnx';
import { loadSamplingModels, type SamplingEngine } from './sampling-engine';
import { archFor, trainingIdentity, type ZooWeightsMeta } from './zoo-model';
import { sampleWithDdim } from './zoo-sampling';
import { splitFile, zooPaths } from './workspace';
import { readJsonFile } from '../util/json-file';
import { KitError } from '../util/errors';

export interface ZooModelSummary {
  modelId: string;
  params: number;
  steps: number;
  trainSeconds: number;
  secondsPerStep: number;
  finalLoss: number | null;
  skipped: boolean;
}

/** One side of the experiment's train/validation split of the dataset's training part (drawn once and stored). */
function splitPart(exp: ResolvedExperiment, side: 'train' | 'validation'): ImageDataset {
  const d = exp.config.dataset;
  const ds = loadDataset(d.name, { root: d.root, part: 'train', imageSize: d.imageSize });
  const split = loadOrCreateSplit(splitFile(exp), ds, d.splitSeed, d.validationFraction);
  return subsetDataset(ds, split[side], `${ds.name}[${side} split]`);
}

/** The training split of the experiment's dataset: what the zoo trains on. */
export function trainingData(exp: ResolvedExperiment): ImageDataset {
  return splitPart(exp, 'train');
}

/** The validation split of the experiment's dataset: held out from training (validation-loss.ts). */
export function validationData(exp: ResolvedExperiment): ImageDataset {
  return splitPart(exp, 'validation');
}

export function trainerSettings(exp: ResolvedExperiment, modelId: string): TrainerSettings {
  const t = resolveModelTraining(exp.config, modelId);
  return {
    batchSize: t.batchSize,
    microBatchSize: t.microBatchSize,
    iterations: t.iterations,
    learningRate: t.learningRate,
    adamBeta1: t.adamBeta1,
    adamBeta2: t.adamBeta2,
    adamEps: t.adamEps,
    gradClipNorm: t.gradClipNorm,
    warmupSteps: t.warmupSteps,
    lrDecay: t.lrDecay,
    emaRate: t.emaRate,
    emaWarmup: t.emaWarmup,
    seed: t.seed,
    checkpointEvery: t.checkpointEvery,
    snapshotEvery: t.snapshotEvery,
    logEvery: t.logEvery,
    randomFlip: exp.config.dataset.randomFlip,
  };
}

/** What is on disk at a model's weights path (`weightsState`). */
export type WeightsState =
  | { state: 'missing' }
  /** finished weights of this identity and iteration count: nothing to train */
  | { state: 'trained' }
  /**
   * finished float32 weights of this identity and iteration count while storage.weights is float16:
   * rounded in place without training (the bytes a finished checkpoint would give, since the
   * float32 file holds the checkpoint's EMA exactly); float16 weights never go back to float32 this
   * way, the rounding is not undone
   */
  | { state: 'roundable' }
  /**
   * a valid weights file of another training identity or an earlier step, or stored in another
   * precision than storage.weights: retrained, as any other change of config (with --resume a
   * finished checkpoint in runs/ gives its weights back at once, so a change of precision costs no training)
   */
  | { state: 'stale' }
  /** a file that cannot be read or does not verify (truncated, damaged, not a weights file): `why` says what is wrong */
  | { state: 'unreadable'; why: string };

/** Reads and verifies a model's weights file (if any) to say whether the model must be trained. */
export function weightsState(exp: ResolvedExperiment, modelId: string): WeightsState {
  const file = zooPaths(exp, modelId).weights;
  if (!fs.existsSync(file)) return { state: 'missing' };
  const iterations = resolveModelTraining(exp.config, modelId).iterations;
  const identity = JSON.stringify(trainingIdentity(exp.config, modelId));
  let f: TensorFile<Partial<ZooWeightsMeta> | null>;
  try {
    f = readTensorFile<Partial<ZooWeightsMeta> | null>(file, 'weights file');
  } catch (e) {
    const msg = (e as Error).message;
    return { state: 'unreadable', why: msg.includes(file) ? msg : `${file}: ${msg}` }; // e.g. EISDIR does not name it
  }
  const meta = f.meta;
  if (meta === null || typeof meta !== 'object' || meta.kind !== 'oms-dpm-zoo-weights' || typeof meta.step !== 'number') {
    return { state: 'unreadable', why: `${file} verifies as a tensor file but is not zoo weights (no 'oms-dpm-zoo-weights' header with a step count)` };
  }
  const finished = meta.step >= iterations && JSON.stringify(meta.identity) === identity;
  if (finished && f.dtype === exp.config.storage.weights) return { state: 'trained' };
  if (finished && f.dtype === 'float32' && exp.config.storage.weights === 'float16') return { state: 'roundable' };
  return { state: 'stale' };
}

/**
 * True when finished weights for this model, identity and iteration count are on disk; false when
 * there are none, or they are a valid file of another identity or an earlier step (retrained).
 * A weights file that cannot be read is finished work that may only need repair, so it is an
 * error naming the file, the defect and the fix, unless `retrainUnreadable` (then false: retrain).
 */
export function isTrained(exp: ResolvedExperiment, modelId: string, opts: { retrainUnreadable?: boolean } = {}): boolean {
  const w = weightsState(exp, modelId);
  if (w.state === 'unreadable' && !opts.retrainUnreadable) throw unreadableWeightsError(exp, modelId, w.why);
  return w.state === 'trained';
}

function unreadableWeightsError(exp: ResolvedExperiment, modelId: string, why: string): KitError {
  const file = zooPaths(exp, modelId).weights;
  return new KitError(`the weights of zoo model '${modelId}' cannot be used: ${why}`, {
    hint:
      `restore ${file} (e.g. from git) if it was finished work; or retrain '${modelId}', overwriting it: ` +
      `oms-dpm train-zoo --experiment ${exp.config.name} --model ${modelId} --retrain-unreadable (or delete the file and run train-zoo again)`,
  });
}

export interface TrainZooOptions {
  models?: string[];
  resume: boolean;
  onModelStart?: (modelId: string, iterations: number) => void;
  onProgress?: (modelId: string, p: TrainProgress) => void;
  /**
   * Sample grid after training: images and DDIM steps (0 images = none), drawn on `engine`
   * (default 'tfjs'; `threads`: ONNX Runtime intra-op threads).
   */
  grid?: { count: number; steps: number; engine?: SamplingEngine; threads?: number };
  /** told about every model.onnx written: after training, or because a trained model's export was missing or stale */
  onExport?: (modelId: string, file: string, reason: string) => void;
  /**
   * Retrain a model whose weights file cannot be read (corrupt, truncated, not weights), overwriting
   * it when training ends. Default false: such a file is an error naming it (`isTrained`), checked
   * for every model before any training starts. Valid weights of another identity or iteration count
   * are retrained either way.
   */
  retrainUnreadable?: boolean;
  /** told about every unreadable weights file that `retrainUnreadable` is about to retrain over */
  onUnreadable?: (modelId: string, file: string, why: string) => void;
}

/** A trained member's sample grid, drawn from its weights file (what later stages load, not the trainer's arrays). */
async function drawSampleGrid(exp: ResolvedExperiment, id: string, grid: NonNullable<TrainZooOptions['grid']>): Promise<void> {
  const [model] = await loadSamplingModels(exp, grid.engine ?? 'tfjs', { models: [id], threads: grid.threads });
  try {
    const imgs = await sampleWithDdim(exp, model.denoiser, { count: grid.count, steps: grid.steps });
    const d = exp.config.dataset;
    writeImageGrid(zooPaths(exp, id).sampleGrid(grid.steps), imgs, grid.count, d.imageSize, d.imageSize, d.channels, SAMPLE_GRID_COLUMNS);
  } finally {
    await model.dispose();
  }
}

/** A member's model.json (summary), read with the fix named when it is missing or damaged. */
function readSummary<T>(exp: ResolvedExperiment, id: string): T {
  return readJsonFile<T>(zooPaths(exp, id).summary, `zoo model summary of '${id}'`, `restore it from git, or delete the model's folder and retrain: oms-dpm train-zoo --experiment ${exp.config.name} --model ${id}`);
}

/** What model.json records of the member's ONNX export. */
function onnxSummary(onnx: ZooOnnxExport): { file: string; bytes: number; sha256: string; weightsSha256: string } {
  return { file: 'model.onnx', bytes: onnx.bytes, sha256: onnx.onnxSha256, weightsSha256: onnx.weightsSha256 };
}

/**
 * Re-stores a member's finished float32 weights as float16 (state 'roundable'), keeping the
 * training's metadata and provenance, then remakes what is made from the stored weights: the ONNX
 * export (and the summary's record of it) and the sample grid. No training step.
 */
async function roundStoredWeights(exp: ResolvedExperiment, id: string, opts: TrainZooOptions): Promise<ZooModelSummary> {
  const paths = zooPaths(exp, id);
  const f = readTensorFile(paths.weights, 'weights file');
  writeTensorFile(paths.weights, f.meta, [...f.arrays.values()], { dtype: 'float16' });
  const onnx = exportZooModelToOnnx(exp, id);
  opts.onExport?.(id, onnx.file, 'weights rounded to float16');
  const summaryFile = readSummary<ZooModelSummary & Record<string, unknown>>(exp, id);
  writeJsonAtomic(paths.summary, { ...summaryFile, onnx: onnxSummary(onnx) });
  if (opts.grid && opts.grid.count > 0) await drawSampleGrid(exp, id, opts.grid);
  const { modelId, params, steps, trainSeconds, secondsPerStep, finalLoss } = summaryFile;
  return { modelId, params, steps, trainSeconds, secondsPerStep, finalLoss, skipped: true };
}

export async function trainZoo(exp: ResolvedExperiment, opts: TrainZooOptions): Promise<ZooModelSummary[]> {
  const ids = opts.models ?? exp.config.zoo.map((m) => m.id);
  const summaries: ZooModelSummary[] = [];
  let data: ImageDataset | null = null;
  // every weights file is checked before any model trains: an unreadable one stops the run at once,
  // not after hours of training the models before it
  const states = new Map<string, WeightsState['state']>();
  for (const id of ids) {
    const w = weightsState(exp, id);
    if (w.state === 'unreadable') {
      if (!opts.retrainUnreadable) throw unreadableWeightsError(exp, id, w.why);
      opts.onUnreadable?.(id, zooPaths(exp, id).weights, w.why);
    }
    states.set(id, w.state);
  }
  for (const id of ids) {
    const paths = zooPaths(exp, id);
    const plan = planUNet(archFor(exp.config, id));
    if (states.get(id) === 'roundable') {
      summaries.push(await roundStoredWeights(exp, id, opts));
      continue;
    }
    if (states.get(id) === 'trained') {
      const s = readSummary<ZooModelSummary>(exp, id);
      const onnx = ensureZooOnnx(exp, id);
      if (onnx.exported) opts.onExport?.(id, onnx.file, onnx.reason ?? 'exported');
      summaries.push({ ...s, skipped: true });
      continue;
    }
    data = data ?? trainingData(exp);
    const settings = trainerSettings(exp, id);
    opts.onModelStart?.(id, settings.iterations);
    const provenance = makeProvenance(exp);
    const result = await trainModel({
      modelId: id,
      plan,
      schedule: scheduleFromConfig(exp.config.diffusion),
      data,
      settings,
      checkpointFile: paths.checkpoint,
      snapshotFile: paths.snapshot,
      identity: trainingIdentity(exp.config, id),
      provenance,
      resume: opts.resume,
      onProgress: (p) => opts.onProgress?.(id, p),
    });
    const meta: ZooWeightsMeta = {
      kind: 'oms-dpm-zoo-weights',
      modelId: id,
      step: result.step,
      identity: trainingIdentity(exp.config, id),
      params: countParams(plan),
      provenance,
    };
    // stored as storage.weights says; everything below (the ONNX export, the sample grid) reads the
    // file back, so it uses the stored weights (with float16: rounded), never result.ema
    writeTensorFile(paths.weights, meta, result.ema, { dtype: exp.config.storage.weights });
    const onnx = exportZooModelToOnnx(exp, id);
    opts.onExport?.(id, onnx.file, 'trained');
    writeJsonAtomic(paths.lossCurve, { modelId: id, lossUnit: 'sum of squared error per image (official loss); mse = per pixel', points: result.lossCurve });
    const summary: ZooModelSummary = {
      modelId: id,
      params: countParams(plan),
      steps: result.step,
      trainSeconds: result.elapsedSeconds,
      secondsPerStep: result.elapsedSeconds / Math.max(1, result.step),
      finalLoss: result.lossCurve.length ? result.lossCurve[result.lossCurve.length - 1].mse : null,
      skipped: false,
    };
    writeJsonAtomic(paths.summary, { ...summary, arch: plan.arch, settings, resumedFrom: result.resumedFrom, onnx: onnxSummary(onnx), provenance });
    if (opts.grid && opts.grid.count > 0) await drawSampleGrid(exp, id, opts.grid);
    summaries.push(summary);
  }
  return summaries;
}

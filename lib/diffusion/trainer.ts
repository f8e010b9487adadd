/**
 * Trains one zoo member: epsilon-prediction with the DDPM "simple" loss as the official code
 * computes it (squared error summed over pixels, averaged over the batch), Adam (PyTorch rule),
 * global gradient-norm clipping, EMA. Checkpoints are atomic and hold everything a resumed run
 * needs to reach the same weights as an uninterrupted one (test/diffusion/trainer-resume.test.ts).
 *
 * A batch may be split into micro-batches whose gradients are summed: the same gradient as the
 * whole batch (dropout masks aside), but activations for only `microBatchSize` images at a time,
 * which keeps large zoo members inside the WASM heap.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data/image-dataset';
import { KitError } from '../util/errors';
import { Adam } from './adam';
import type { LearningRateDecay } from './learning-rate';
import { initParams } from './init-params';
import { disposeVariables, toHost, toVariables, type VariableMap } from './model-params';
import type { DiscreteSchedule } from './noise-schedule';
import { readTensorFile, writeTensorFile, type NamedArray } from './tensor-file';
import { BatchSampler } from './training-batch';
import { trainStep, type TrainState } from './train-step';
import type { UNetPlan } from './unet-spec';

export interface TrainerSettings {
  batchSize: number;
  /** null = the whole batch at once */
  microBatchSize: number | null;
  iterations: number;
  learningRate: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEps: number;
  gradClipNorm: number | null;
  warmupSteps: number;
  lrDecay: LearningRateDecay;
  emaRate: number;
  emaWarmup: boolean;
  seed: number;
  checkpointEvery: number;
  /** keep the EMA weights of every this many steps (`TrainJob.snapshotFile`); null = none */
  snapshotEvery: number | null;
  logEvery: number;
  randomFlip: boolean;
}

export interface LossPoint { step: number; loss: number; mse: number }

/** Stored in every checkpoint; a resume refuses a checkpoint whose identity differs. */
export interface CheckpointMeta {
  kind: 'oms-dpm-training-checkpoint';
  modelId: string;
  step: number;
  /** what must match to resume: architecture + everything that changes the optimisation */
  identity: unknown;
  settings: TrainerSettings;
  lossCurve: LossPoint[];
  /** All randomness is a function of (seed, step): this is the whole RNG state. */
  rng: { seed: number; step: number };
  provenance: unknown;
  elapsedSeconds: number;
}

export interface TrainProgress {
  step: number;
  iterations: number;
  loss: number;
  stepsPerSecond: number;
  etaSeconds: number;
}

export interface TrainJob {
  modelId: string;
  plan: UNetPlan;
  schedule: DiscreteSchedule;
  data: ImageDataset;
  settings: TrainerSettings;
  checkpointFile: string;
  /** where the EMA weights of step `step` are kept when `settings.snapshotEvery` asks for them */
  snapshotFile?: (step: number) => string;
  /** Everything that must agree for a checkpoint to be resumed (architecture, settings other than iterations/logging). */
  identity: unknown;
  provenance: unknown;
  resume: boolean;
  onProgress?: (p: TrainProgress) => void;
  /** Stop after this step even if `iterations` is larger (tests simulate a kill with it). */
  stopAfterStep?: number;
}

export interface TrainResult {
  step: number;
  params: NamedArray[];
  ema: NamedArray[];
  lossCurve: LossPoint[];
  elapsedSeconds: number;
  resumedFrom: number | null;
}

function identityKey(x: unknown): string {
  return JSON.stringify(x);
}

/** Where a run starts: its weights, EMA, Adam moments, and the progress of the run it continues. */
interface StartState {
  state: TrainState;
  step: number;
  lossCurve: LossPoint[];
  elapsedSeconds: number;
  resumedFrom: number | null;
}

function newAdam(s: TrainerSettings, params: VariableMap): Adam {
  return new Adam({ lr: s.learningRate, beta1: s.adamBeta1, beta2: s.adamBeta2, eps: s.adamEps }, params);
}

/** A fresh run from the seed's initialisation (the EMA starts equal to the weights). */
function initialState(job: TrainJob): StartState {
  const init = initParams(job.plan, job.settings.seed);
  const params = toVariables(job.plan, init, true, 'initialisation');
  const ema = toVariables(job.plan, init, false, 'initialisation');
  return { state: { plan: job.plan, params, ema, adam: newAdam(job.settings, params) }, step: 0, lossCurve: [], elapsedSeconds: 0, resumedFrom: null };
}

/** The run stored in `job.checkpointFile`, refused when it was made with another identity. */
function restoredState(job: TrainJob): StartState {
  const ck = readTensorFile<CheckpointMeta>(job.checkpointFile);
  if (ck.meta.kind !== 'oms-dpm-training-checkpoint') throw new KitError(`${job.checkpointFile} is not a training checkpoint`);
  if (identityKey(ck.meta.identity) !== identityKey(job.identity)) {
    throw new KitError(`checkpoint ${job.checkpointFile} was made with another model or training config`, {
      hint: `restore the config it was trained with, or delete the checkpoint to retrain. checkpoint: ${identityKey(ck.meta.identity)} now: ${identityKey(job.identity)}`,
    });
  }
  const group = (prefix: string) => {
    const m = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [k, v] of ck.arrays) if (k.startsWith(prefix)) m.set(k.slice(prefix.length), v);
    return m;
  };
  const params = toVariables(job.plan, group('params/'), true, job.checkpointFile);
  const ema = toVariables(job.plan, group('ema/'), false, job.checkpointFile);
  const adam = newAdam(job.settings, params);
  const m = group('adam_m/');
  const v = group('adam_v/');
  for (const [name] of params) {
    tf.tidy(() => {
      adam.m.get(name)!.assign(tf.tensor(m.get(name)!.data, m.get(name)!.shape));
      adam.v.get(name)!.assign(tf.tensor(v.get(name)!.data, v.get(name)!.shape));
    });
  }
  const { step, lossCurve, elapsedSeconds } = ck.meta;
  return { state: { plan: job.plan, params, ema, adam }, step, lossCurve, elapsedSeconds, resumedFrom: step };
}

/** Everything a resumed run needs to continue as if never stopped (atomic write). */
async function writeCheckpoint(job: TrainJob, state: TrainState, step: number, lossCurve: LossPoint[], elapsedSeconds: number): Promise<void> {
  const s = job.settings;
  const meta: CheckpointMeta = {
    kind: 'oms-dpm-training-checkpoint',
    modelId: job.modelId,
    step,
    identity: job.identity,
    settings: s,
    lossCurve,
    rng: { seed: s.seed, step },
    provenance: job.provenance,
    elapsedSeconds,
  };
  const arrays = [
    ...(await toHost(state.params, 'params/')),
    ...(await toHost(state.ema, 'ema/')),
    ...(await toHost(state.adam.m, 'adam_m/')),
    ...(await toHost(state.adam.v, 'adam_v/')),
  ];
  fs.mkdirSync(path.dirname(job.checkpointFile), { recursive: true });
  writeTensorFile(job.checkpointFile, meta, arrays);
}

/** The EMA weights of `step`, kept for the learning curve (`settings.snapshotEvery`). */
async function writeSnapshot(job: TrainJob, ema: VariableMap, step: number): Promise<void> {
  if (!job.snapshotFile) throw new KitError(`settings.snapshotEvery is ${job.settings.snapshotEvery} but the training job has no snapshotFile`);
  const file = job.snapshotFile(step);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeTensorFile(file, { kind: 'oms-dpm-training-snapshot', modelId: job.modelId, step, identity: job.identity, provenance: job.provenance }, await toHost(ema));
}

export async function trainModel(job: TrainJob): Promise<TrainResult> {
  const s = job.settings;
  const D = job.data.height * job.data.width * job.data.channels;
  const exists = fs.existsSync(job.checkpointFile);
  if (exists && !job.resume) {
    const meta = readTensorFile<CheckpointMeta>(job.checkpointFile).meta;
    throw new KitError(`a checkpoint of model '${job.modelId}' at step ${meta.step} already exists: ${job.checkpointFile}`, {
      hint: 'pass --resume to continue it, or delete that file to train from scratch (nothing is overwritten without asking)',
    });
  }
  const start = exists ? restoredState(job) : initialState(job);
  const { state } = start;
  let { step } = start;
  const { lossCurve } = start;
  const sampler = new BatchSampler(job.data, job.schedule, s.seed, s.batchSize, s.randomFlip);
  const last = Math.min(s.iterations, job.stopAfterStep ?? Infinity);
  const t0 = Date.now();
  const elapsed = () => start.elapsedSeconds + (Date.now() - t0) / 1000;
  let windowLoss = 0;
  let windowCount = 0;

  try {
    while (step < last) {
      const lossSum = await trainStep(state, sampler.batch(step), [job.data.height, job.data.width, job.data.channels], step, s);
      step += 1;

      windowLoss += lossSum;
      windowCount += 1;
      if (step % s.logEvery === 0 || step === last) {
        const loss = windowLoss / windowCount;
        lossCurve.push({ step, loss, mse: loss / D });
        windowLoss = 0;
        windowCount = 0;
      }
      if (job.onProgress) {
        const rate = (step - start.step) / Math.max(1e-3, (Date.now() - t0) / 1000);
        job.onProgress({ step, iterations: s.iterations, loss: lossSum / D, stepsPerSecond: rate, etaSeconds: (s.iterations - step) / Math.max(rate, 1e-9) });
      }
      // the snapshot before the checkpoint of the same step, so a resume never skips a snapshot
      if (s.snapshotEvery !== null && step % s.snapshotEvery === 0) await writeSnapshot(job, state.ema, step);
      if (step % s.checkpointEvery === 0 || step === last) await writeCheckpoint(job, state, step, lossCurve, elapsed());
    }
    return {
      step,
      params: await toHost(state.params),
      ema: await toHost(state.ema),
      lossCurve,
      elapsedSeconds: elapsed(),
      resumedFrom: start.resumedFrom,
    };
  } finally {
    disposeVariables(state.params);
    disposeVariables(state.ema);
    disposeVariables(state.adam.m);
    disposeVariables(state.adam.v);
  }
}

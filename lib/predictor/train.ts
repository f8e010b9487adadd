/**
 * Predictor training (method doc §5; official train.py / test.py): Adam (PyTorch rule, lr 1e-3, no
 * weight decay, no schedule), batches of 512 shuffled each epoch, the pairwise hinge ranking loss
 * (or MSE), and Kendall's tau-b between scores and FIDs on the training set D_train and on the
 * selection set D_sel every `evalEvery` epochs and after the last. The weights with the best
 * selection tau are kept (and written to `checkpointPath` with config and metrics) and restored
 * at the end.
 *
 * Deliberate deviation: the official code chooses the checkpoint by its tau on the validation set
 * and reports that same tau, so the reported number is the maximum of several noisy estimates
 * measured on the records that chose it (optimistic: mnist DPM-Solver 0.797 at the chosen epoch,
 * 0.788 at the last). Here D_sel is a part of the training split held back from the gradient
 * steps (experiment-predictor.ts carves it), and this function takes no validation set at all, so
 * the chosen epoch and weights are a function of (D_train, D_sel, seeds) only and cannot leak the
 * validation records; their tau is measured once, by the caller, on the restored weights.
 *
 * Deterministic in `seed`: epoch e's batch order is permutation(seed, 'predictor-epoch', e) and
 * batch b's pair subset is drawn from (seed, 'predictor-pairs', e, b). The official loop validates
 * on every epoch that is NOT a multiple of valid_every (an inverted condition, method doc §8); here
 * evaluation happens on multiples of `evalEvery`. A batch without a pair over the FID threshold is
 * skipped (the official loss would be NaN).
 */
import * as tf from '@tensorflow/tfjs';
import { Adam } from '../diffusion/adam';
import type { NamedArray, TensorDtype } from '../diffusion/tensor-file';
import { permutation, streamRng } from '../util/rng';
import { kendallTau } from '../metrics/kendall-tau';
import { KitError } from '../util/errors';
import { savePredictor } from './checkpoint';
import { ScheduleBatch, selectRows } from './inputs';
import { mseLoss, pairwiseHingeLoss, selectRankingPairs } from './losses';
import type { PredictorParams } from './params';
import { SchedulePredictor } from './predictor';

/** Schedules with their measured FIDs. */
export interface PredictorDataset {
  schedules: readonly (readonly number[])[];
  fids: readonly number[];
}

export interface TrainPredictorOptions {
  epochs: number;
  /** Seed of batch order and pair subsets (the weights' seed is the predictor's own). */
  seed: number;
  /** Default 512. */
  batchSize?: number;
  /** Adam learning rate; default 1e-3. */
  lr?: number;
  /** 'ranking' (default, pairwise hinge) or 'mse'. */
  loss?: 'ranking' | 'mse';
  /** Ranking loss: FID difference threshold (0.25), pair cap ratio (2), margin (1). */
  threshold?: number;
  maxPairsRatio?: number;
  margin?: number;
  /** Evaluate every this many epochs (and after the last); default 50 (official valid_every). */
  evalEvery?: number;
  /** Where to write the best-selection checkpoint; none if undefined. */
  checkpointPath?: string;
  /** How the checkpoint stores its weights (storage.weights); default float32. */
  storage?: TensorDtype;
  /** Restore the best-selection weights at the end; default true. */
  restoreBest?: boolean;
  /** Called after every evaluation. */
  onEvaluate?: (e: PredictorEvaluation) => void;
  /** Called after every epoch's gradient steps, before its evaluation (a child process checks here that its parent still runs). */
  onEpoch?: (epoch: number) => void;
}

export interface PredictorEvaluation {
  /** 1-based epoch after which this was measured. */
  epoch: number;
  /** Mean training loss of that epoch (over the batches that had pairs). */
  loss: number;
  /** Kendall tau-b on the records the gradient steps use (D_train). */
  trainTau: number;
  /** Kendall tau-b on the held-back selection records (D_sel), which choose the checkpoint. */
  selectionTau: number;
  /** Seconds since training started. */
  seconds: number;
}

export interface TrainPredictorResult {
  history: PredictorEvaluation[];
  /** The evaluation with the best selection tau (NaN taus never win; the earliest of equal taus), or null if every tau was NaN. */
  best: PredictorEvaluation | null;
  /** Optimiser steps taken, and batches skipped for lack of pairs. */
  steps: number;
  skippedBatches: number;
  seconds: number;
}

function checkDataset(name: string, d: PredictorDataset): void {
  if (d.schedules.length !== d.fids.length) {
    throw new KitError(`predictor ${name} set has ${d.schedules.length} schedules but ${d.fids.length} FIDs`, { hint: 'give one FID per schedule' });
  }
  if (d.schedules.length < 2) {
    throw new KitError(`predictor ${name} set has ${d.schedules.length} schedule(s); Kendall tau needs at least 2`, {
      hint: 'collect more schedule-FID records (the training split must leave at least 2 records to train on and 2 to choose the checkpoint)',
    });
  }
  const bad = d.fids.findIndex((f) => !Number.isFinite(f));
  if (bad >= 0) throw new KitError(`predictor ${name} set: FID ${bad} is ${d.fids[bad]}`, { hint: 'drop schedules whose FID evaluation failed' });
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new KitError(`predictor training: ${name} must be a positive integer, got ${v}`, { hint: `e.g. ${name} = ${name === 'epochs' ? 1000 : name === 'batchSize' ? 512 : 50}` });
  return v;
}

/** Kendall tau-b between the predictor's scores of a prepared set and its FIDs. */
export function evaluateTau(predictor: SchedulePredictor, batch: ScheduleBatch, fids: readonly number[]): number {
  return kendallTau(predictor.scoreBatch(batch), fids);
}

/** The training options, checked, with their defaults. */
interface TrainingSettings { epochs: number; batchSize: number; evalEvery: number; lr: number; loss: 'ranking' | 'mse'; margin: number }

function trainingSettings(options: TrainPredictorOptions): TrainingSettings {
  const epochs = positiveInt('epochs', options.epochs);
  const batchSize = positiveInt('batchSize', options.batchSize ?? 512);
  const evalEvery = positiveInt('evalEvery', options.evalEvery ?? 50);
  const lr = options.lr ?? 1e-3;
  if (!(lr > 0)) throw new KitError(`predictor training: lr must be positive, got ${lr}`, { hint: 'the official value is 1e-3' });
  const loss = options.loss ?? 'ranking';
  if (loss !== 'ranking' && loss !== 'mse') throw new KitError(`predictor training: unknown loss '${String(loss)}'`, { hint: "use 'ranking' or 'mse'" });
  return { epochs, batchSize, evalEvery, lr, loss, margin: options.margin ?? 1 };
}

/** Adam over the predictor's parameters, with the map from TF.js variable names (what tf.variableGrads keys by) to parameter names. */
interface Optimiser { adam: Adam; params: PredictorParams; varList: tf.Variable[]; nameOf: Map<string, string>; steps: number; skippedBatches: number }

function optimiser(predictor: SchedulePredictor, lr: number): Optimiser {
  const params = predictor.params;
  const nameOf = new Map<string, string>(); // tf variable name -> parameter name
  for (const [name, v] of params) nameOf.set(v.name, name);
  // (tidy releases the zero tensors Adam's constructor makes its state variables from)
  let adam!: Adam;
  tf.tidy(() => {
    adam = new Adam({ lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, params);
  });
  return { adam, params, varList: [...params.values()], nameOf, steps: 0, skippedBatches: 0 };
}

/**
 * One epoch of gradient steps over `trainBatch` in the epoch's seeded order (a ranking batch
 * without a pair over the threshold is skipped); returns the mean loss of the batches stepped on
 * (NaN when there were none).
 */
function trainEpoch(predictor: SchedulePredictor, trainBatch: ScheduleBatch, trainFids: readonly number[], epoch: number, s: TrainingSettings, opt: Optimiser, options: TrainPredictorOptions): number {
  const n = trainBatch.size;
  const order = permutation(n, streamRng(options.seed, 'predictor-epoch', epoch));
  let lossSum = 0;
  let lossCount = 0;
  for (let lo = 0, b = 0; lo < n; lo += s.batchSize, b++) {
    const rows = order.subarray(lo, Math.min(lo + s.batchSize, n));
    const fids = Array.from(rows, (r) => trainFids[r]);
    const pairs = s.loss === 'ranking' ? selectRankingPairs(fids, streamRng(options.seed, 'predictor-pairs', epoch, b), options) : null;
    if (pairs && pairs.first.length === 0) {
      opt.skippedBatches++;
      continue;
    }
    const batch = selectRows(trainBatch, rows);
    const { value, grads } = tf.variableGrads(() => {
      const scores = predictor.forward(batch);
      return pairs ? pairwiseHingeLoss(scores, pairs, s.margin) : mseLoss(scores, fids);
    }, opt.varList);
    const named = new Map<string, tf.Tensor>();
    for (const [vname, g] of Object.entries(grads)) named.set(opt.nameOf.get(vname)!, g);
    opt.steps++;
    opt.adam.apply(opt.params, named, opt.steps, s.lr);
    lossSum += value.dataSync()[0];
    lossCount++;
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
  }
  return lossCount > 0 ? lossSum / lossCount : NaN;
}

/** Writes the checkpoint of a new best evaluation, with its settings, metrics and the history so far. */
function saveBest(file: string, predictor: SchedulePredictor, e: PredictorEvaluation, s: TrainingSettings, options: TrainPredictorOptions, sizes: { train: number; selection: number }, history: PredictorEvaluation[]): void {
  savePredictor(file, predictor, {
    epoch: e.epoch,
    metrics: { loss: e.loss, trainTau: e.trainTau, selectionTau: e.selectionTau },
    training: { seed: options.seed, epochs: s.epochs, batchSize: s.batchSize, lr: s.lr, loss: s.loss, threshold: options.threshold ?? 0.25, maxPairsRatio: options.maxPairsRatio ?? 2, margin: s.margin, evalEvery: s.evalEvery },
    dataset: sizes,
    history,
  }, options.storage);
}

/**
 * Trains `predictor` in place on `train` and chooses the checkpoint on `selection`; see the file
 * comment. There is deliberately no validation parameter: what is measured on validation
 * records afterwards cannot have steered the training or the choice.
 */
export function trainPredictor(
  predictor: SchedulePredictor,
  train: PredictorDataset,
  selection: PredictorDataset,
  options: TrainPredictorOptions,
): TrainPredictorResult {
  checkDataset('training', train);
  checkDataset('selection', selection);
  const s = trainingSettings(options);
  const trainBatch = predictor.prepare(train.schedules);
  const selectionBatch = predictor.prepare(selection.schedules);
  const opt = optimiser(predictor, s.lr);

  const start = performance.now();
  const history: PredictorEvaluation[] = [];
  let best: PredictorEvaluation | null = null;
  let bestWeights: NamedArray[] | null = null;
  try {
    for (let epoch = 1; epoch <= s.epochs; epoch++) {
      const loss = trainEpoch(predictor, trainBatch, train.fids, epoch, s, opt, options);
      options.onEpoch?.(epoch);
      if (epoch % s.evalEvery !== 0 && epoch !== s.epochs) continue;
      const e: PredictorEvaluation = {
        epoch,
        loss,
        trainTau: evaluateTau(predictor, trainBatch, train.fids),
        selectionTau: evaluateTau(predictor, selectionBatch, selection.fids),
        seconds: (performance.now() - start) / 1000,
      };
      history.push(e);
      if (!Number.isNaN(e.selectionTau) && (best === null || e.selectionTau > best.selectionTau)) {
        best = e;
        bestWeights = predictor.weights();
        if (options.checkpointPath) saveBest(options.checkpointPath, predictor, e, s, options, { train: train.schedules.length, selection: selection.schedules.length }, history);
      }
      options.onEvaluate?.(e);
    }
  } finally {
    for (const v of [...opt.adam.m.values(), ...opt.adam.v.values()]) v.dispose();
  }
  if ((options.restoreBest ?? true) && bestWeights) predictor.setWeights(bestWeights);
  return { history, best, steps: opt.steps, skippedBatches: opt.skippedBatches, seconds: (performance.now() - start) / 1000 };
}

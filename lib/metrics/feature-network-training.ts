/**
 * Trains the label-classifier feature network (feature-network.ts) with Adam and cross-entropy
 * on the training split, and measures its accuracy on the dataset's official test part; the
 * accuracy is stored with the weights and reported with every FID. The weights are first rounded
 * to the precision they are stored in (`storage`), so the accuracy is that of the stored weights.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data/image-dataset';
import { toModelInput } from '../data/batch';
import { Adam } from '../diffusion/adam';
import { asStored, type TensorDtype } from '../diffusion/tensor-file';
import { permutation, streamRng } from '../util/rng';
import { featureNetLogits, featureNetParams, type FeatureNetArch, type FeatureParams } from './feature-network';

export interface FeatureNetTraining {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** the precision the weights will be stored in (storage.weights; default float32) */
  storage?: TensorDtype;
}

export interface TrainedFeatureNet {
  arch: FeatureNetArch;
  weights: { name: string; shape: number[]; data: Float32Array }[];
  testAccuracy: number;
  trainSeconds: number;
}

function batchTensor(ds: ImageDataset, idx: ArrayLike<number>): tf.Tensor4D {
  const raw = new Uint8Array(idx.length * ds.height * ds.width * ds.channels);
  ds.readInto(idx, raw);
  return tf.tensor4d(toModelInput(raw, idx.length, ds.height, ds.width, ds.channels), [idx.length, ds.height, ds.width, ds.channels]);
}

export async function evaluateAccuracy(p: FeatureParams, ds: ImageDataset, batch = 500): Promise<number> {
  if (!ds.labels) throw new Error(`${ds.name} has no labels`);
  let correct = 0;
  for (let s = 0; s < ds.count; s += batch) {
    const idx = Array.from({ length: Math.min(batch, ds.count - s) }, (_, i) => s + i);
    const x = batchTensor(ds, idx);
    const pred = tf.tidy(() => tf.argMax(featureNetLogits(p, x), 1));
    const v = await pred.data();
    for (let i = 0; i < idx.length; i++) if (v[i] === ds.labels[idx[i]]) correct++;
    tf.dispose([x, pred]);
  }
  return correct / ds.count;
}

/** Replaces each variable's values by those a file of `dtype` gives back for them. */
async function roundToStorage(vars: Map<string, tf.Variable>, dtype: TensorDtype): Promise<void> {
  for (const [name, v] of vars) {
    const [stored] = asStored([{ name, shape: v.shape, data: (await v.data()) as Float32Array }], dtype);
    tf.tidy(() => v.assign(tf.tensor(stored.data, v.shape)));
  }
}

export async function trainFeatureNet(
  train: ImageDataset,
  test: ImageDataset,
  cfg: FeatureNetTraining,
  onProgress?: (done: number, total: number, loss: number) => void,
): Promise<TrainedFeatureNet> {
  if (!train.labels) throw new Error(`${train.name} has no labels: the feature network is a label classifier`);
  const classes = Math.max(...train.labels) + 1;
  const arch: FeatureNetArch = { height: train.height, width: train.width, channels: train.channels, classes };
  const vars = new Map<string, tf.Variable>();
  for (const spec of featureNetParams(arch)) {
    const rng = streamRng(cfg.seed, 'featnet', spec.name);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const bound = 1 / Math.sqrt(spec.fanIn);
    const init = Float32Array.from({ length: n }, () => (2 * rng() - 1) * bound);
    vars.set(spec.name, tf.tidy(() => tf.variable(tf.tensor(init, spec.shape), true)));
  }
  const p: FeatureParams = Object.fromEntries(vars);
  const adam = new Adam({ lr: cfg.learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, vars);
  const list = [...vars.values()];
  const names = [...vars.keys()];
  const stepsPerEpoch = Math.floor(train.count / cfg.batchSize);
  const total = cfg.epochs * stepsPerEpoch;
  const t0 = Date.now();
  let step = 0;
  for (let e = 0; e < cfg.epochs; e++) {
    const perm = permutation(train.count, streamRng(cfg.seed, 'featnet-epoch', e));
    for (let b = 0; b < stepsPerEpoch; b++) {
      const idx = perm.subarray(b * cfg.batchSize, (b + 1) * cfg.batchSize);
      const x = batchTensor(train, idx);
      const y = tf.oneHot(tf.tensor1d(Array.from(idx, (i) => train.labels![i]), 'int32'), classes);
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, featureNetLogits(p, x)) as tf.Scalar, list);
      adam.apply(vars, new Map(names.map((k, i) => [k, grads[list[i].name]])), ++step, cfg.learningRate);
      const loss = (await value.data())[0];
      tf.dispose([x, y, value, ...Object.values(grads)]);
      onProgress?.(step, total, loss);
    }
  }
  // the weights as their file will hold them, before the accuracy stored with them is measured
  if ((cfg.storage ?? 'float32') !== 'float32') await roundToStorage(vars, cfg.storage!);
  const testAccuracy = await evaluateAccuracy(p, test);
  const weights = [];
  for (const [name, v] of vars) weights.push({ name, shape: v.shape.slice(), data: (await v.data()) as Float32Array });
  for (const v of [...list, ...adam.m.values(), ...adam.v.values()]) v.dispose();
  return { arch, weights, testAccuracy, trainSeconds: (Date.now() - t0) / 1000 };
}

/**
 * Small differentiable building blocks of the predictor, written with TF.js ops that have
 * gradients on every backend the kit uses (WASM has no UnsortedSegmentSum, so embedding lookups
 * are one-hot matMuls, never tf.gather, whose gradient needs it).
 */
import * as tf from '@tensorflow/tfjs';
import { PredictorParams, param } from './params';

/** x [n, in] @ w [in, out] + b [out] -> [n, out]. */
export function dense(x: tf.Tensor2D, params: PredictorParams, prefix: string): tf.Tensor2D {
  return tf.add(tf.matMul(x, param<tf.Rank.R2>(params, `${prefix}.w`)), param<tf.Rank.R1>(params, `${prefix}.b`));
}

/**
 * Layers `${prefix}.fc0 .. fc{n-1}` applied in turn, `activation` between them (not after the
 * last). x [n, in] -> [n, out].
 */
export function mlp(x: tf.Tensor2D, params: PredictorParams, prefix: string, layers: number, activation: (t: tf.Tensor2D) => tf.Tensor2D): tf.Tensor2D {
  let h = x;
  for (let i = 0; i < layers; i++) {
    h = dense(h, params, `${prefix}.fc${i}`);
    if (i + 1 < layers) h = activation(h);
  }
  return h;
}

/** swish(x) = x * sigmoid(x). */
export function swish<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

/**
 * x / max(||x||_2, 1e-12) along the last axis (PyTorch F.normalize). Written as
 * x * rsqrt(max(sum x^2, 1e-24)) so that the gradient stays finite at x = 0.
 */
export function l2Normalize<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), -1, true), 1e-24)));
}

/** Rows of `table` [V, E] for integer ids [n] (values 0..V-1): oneHot(ids) @ table -> [n, E]. */
export function embed(ids: tf.Tensor1D, table: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(tf.oneHot(ids, table.shape[0]), table);
}

/**
 * The DDPM sinusoidal embedding of (possibly fractional) timesteps t [n] -> [n, dim]:
 * half = dim / 2, f_k = exp(-k ln(10000) / (half - 1)), k = 0..half-1, emb = [sin(t f), cos(t f)].
 */
export function sinusoidalEmbedding(t: tf.Tensor1D, dim: number): tf.Tensor2D {
  const half = dim / 2;
  const scale = Math.log(10000) / (half - 1);
  const freqs = tf.tensor1d(Float32Array.from({ length: half }, (_, k) => Math.exp(-k * scale)));
  const args = tf.mul(tf.reshape(t, [-1, 1]), tf.reshape(freqs, [1, half])) as tf.Tensor2D;
  return tf.concat([tf.sin(args), tf.cos(args)], 1);
}

/** Timestep encoder: sinusoid(t) [n, 128] -> Linear -> swish -> Linear -> [n, 64]. */
export function timestepEncoder(t: tf.Tensor1D, params: PredictorParams, sinusoidDim: number): tf.Tensor2D {
  return mlp(sinusoidalEmbedding(t, sinusoidDim), params, 'time', 2, swish);
}

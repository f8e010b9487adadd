/**
 * Checks the forward-convolution Conv2D gradients against TF.js's reference gradients on the
 * pure-JS `cpu` backend, for every kernel size, stride and padding the kit's UNets use.
 * Run by `oms-dpm doctor` and by the tests.
 */
import * as tf from '@tensorflow/tfjs';
import { installForwardConvGradients } from './conv-gradients';

export interface ConvGradCase {
  name: string;
  /** x shape NHWC */
  x: [number, number, number, number];
  kernel: number;
  outChannels: number;
  stride: number;
  pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
}

/** The conv shapes of the DDPM UNet: 3x3 same (res blocks), 1x1 (skips, attention projections), 3x3 stride 2 (downsample, padded (0,1)), and odd sizes. */
export const UNET_CONV_CASES: ConvGradCase[] = [
  { name: '3x3 stride1 same', x: [3, 7, 7, 4], kernel: 3, outChannels: 5, stride: 1, pad: 'same' },
  { name: '1x1 stride1', x: [2, 6, 6, 6], kernel: 1, outChannels: 3, stride: 1, pad: 'valid' },
  { name: '3x3 stride2 pad(0,1) even', x: [2, 8, 8, 3], kernel: 3, outChannels: 4, stride: 2, pad: [[0, 0], [0, 1], [0, 1], [0, 0]] },
  { name: '3x3 stride2 pad(0,1) odd', x: [2, 7, 7, 3], kernel: 3, outChannels: 4, stride: 2, pad: [[0, 0], [0, 1], [0, 1], [0, 0]] },
  { name: '3x3 stride2 same', x: [2, 7, 9, 2], kernel: 3, outChannels: 3, stride: 2, pad: 'same' },
  { name: '3x3 stride1 valid', x: [2, 6, 5, 2], kernel: 3, outChannels: 3, stride: 1, pad: 'valid' },
  { name: '4x4 stride2 pad1', x: [1, 8, 8, 2], kernel: 4, outChannels: 2, stride: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
];

/** Absolute tolerance, relative to the reference gradient's largest magnitude (float32 sums). */
export const CONV_GRAD_RELATIVE_TOLERANCE = 1e-4;

export interface ConvGradResult {
  name: string;
  maxRelErrInput: number;
  maxRelErrFilter: number;
  ok: boolean;
}

function seededArray(n: number, seed: number): Float32Array {
  // Small LCG so both backends get identical inputs without relying on backend RNG.
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

async function gradsOn(backend: string, c: ConvGradCase): Promise<[Float32Array, Float32Array]> {
  await tf.setBackend(backend);
  const [n, h, w, ci] = c.x;
  const fShape: [number, number, number, number] = [c.kernel, c.kernel, ci, c.outChannels];
  const x = tf.tensor4d(seededArray(n * h * w * ci, 1), c.x);
  const f = tf.tensor4d(seededArray(fShape.reduce((p, q) => p * q), 2), fShape);
  const probe = tf.tidy(() => tf.conv2d(x, f, c.stride, c.pad));
  const r = tf.tensor(seededArray(probe.size, 3), probe.shape);
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r)));
  const [dx, df] = g([x, f]);
  const out: [Float32Array, Float32Array] = [(await dx.data()) as Float32Array, (await df.data()) as Float32Array];
  tf.dispose([x, f, probe, r, dx, df]);
  return out;
}

function maxRelErr(a: Float32Array, ref: Float32Array): number {
  let scale = 0;
  for (const v of ref) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - ref[i]));
  return err / Math.max(scale, 1e-12);
}

/** Runs every case on `backend` (default 'wasm') and on 'cpu'; restores the previous backend. */
export async function runConvGradientSelfCheck(backend = 'wasm', cases = UNET_CONV_CASES): Promise<ConvGradResult[]> {
  installForwardConvGradients();
  if (backend === 'wasm') require('@tensorflow/tfjs-backend-wasm');
  const previous = tf.getBackend();
  const results: ConvGradResult[] = [];
  try {
    for (const c of cases) {
      const [dxB, dfB] = await gradsOn(backend, c);
      const [dxR, dfR] = await gradsOn('cpu', c);
      const ei = maxRelErr(dxB, dxR);
      const ef = maxRelErr(dfB, dfR);
      results.push({ name: c.name, maxRelErrInput: ei, maxRelErrFilter: ef, ok: ei <= CONV_GRAD_RELATIVE_TOLERANCE && ef <= CONV_GRAD_RELATIVE_TOLERANCE });
    }
  } finally {
    if (previous) await tf.setBackend(previous);
  }
  return results;
}

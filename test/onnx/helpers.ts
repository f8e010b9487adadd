/**
 * Shared pieces of the ONNX engine tests: deterministic weights with non-trivial GroupNorm
 * affines, the TF.js reference forward pass on the pure-JS `cpu` backend, and the tolerance.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/tfjs/backend';
import { initParams, type HostParams } from '../../lib/diffusion/init-params';
import { unetForward } from '../../lib/diffusion/unet';
import type { UNetPlan } from '../../lib/diffusion/unet-spec';

/**
 * Agreement required between ONNX Runtime and TF.js, per output tensor:
 *   max |onnx - tfjs| <= REL_TOL * max |tfjs| + ABS_TOL.
 * Both compute in float32 with different summation orders (MLAS sgemm/NCHWc convolutions,
 * InstanceNormalization's two-pass variance vs TF.js's E[x^2] - E[x]^2, q pre-scaled by
 * 1/sqrt(C)), which moves results by ~1e-6 relative; a wrong layout or op is off by O(1).
 */
export const REL_TOL = 1e-4;
export const ABS_TOL = 1e-5;

/** Uniform values in [-scale, scale) from a 32-bit LCG: reproducible without any RNG package. */
export function seeded(n: number, seed: number, scale: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return a;
}

/** Initial weights with GroupNorm gamma/beta moved off 1/0, so a misplaced affine shows. */
export function testWeights(plan: UNetPlan, seed: number): HostParams {
  const w = initParams(plan, seed);
  let k = seed * 1000 + 1;
  for (const [name, v] of w) {
    if (name.endsWith('.gamma')) v.data = seeded(v.data.length, k++, 0.5).map((g) => 1 + g);
    if (name.endsWith('.beta')) v.data = seeded(v.data.length, k++, 0.3);
  }
  return w;
}

export async function useCpuBackend(): Promise<void> {
  await initBackend('cpu');
}

/** The kit's TF.js forward pass with per-image times. */
export function tfjsEps(plan: UNetPlan, weights: HostParams, x: Float32Array, n: number, times: number[]): Float32Array {
  const S = plan.arch.imageSize;
  return tf.tidy(() => {
    const params: Record<string, tf.Tensor> = {};
    for (const [name, v] of weights) params[name] = tf.tensor(v.data, v.shape);
    const out = unetForward(params, plan, tf.tensor4d(x, [n, S, S, plan.arch.inChannels]), tf.tensor1d(times), { training: false });
    return out.dataSync() as Float32Array;
  });
}

/** max |a - ref| and max |ref|. */
export function maxDiff(a: Float32Array, ref: Float32Array): { diff: number; scale: number } {
  assert.equal(a.length, ref.length, 'output lengths differ');
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    assert.ok(Number.isFinite(a[i]), `non-finite output at ${i}`);
    diff = Math.max(diff, Math.abs(a[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return { diff, scale };
}

export function assertClose(a: Float32Array, ref: Float32Array, what: string, rel = REL_TOL, abs = ABS_TOL): { diff: number; scale: number } {
  const r = maxDiff(a, ref);
  assert.ok(r.diff <= rel * r.scale + abs, `${what}: max |diff| ${r.diff.toExponential(3)} > ${rel} * ${r.scale.toExponential(3)} + ${abs}`);
  return r;
}

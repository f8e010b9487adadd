import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/tfjs/backend';
import { initParams } from '../../lib/diffusion/init-params';
import { unetForward } from '../../lib/diffusion/unet';
import { planUNet, type UNetArch } from '../../lib/diffusion/unet-spec';
import { unetForwardReference } from './unet-reference';

/**
 * The optimised UNet (fused conv+bias, GroupNorm/swish with a hand-written gradient, cheap concat
 * and upsample gradients, forward-conv Conv2D gradients) on WASM against the op-by-op reference
 * differentiated by autodiff on the pure-JS `cpu` backend.
 *
 * Tolerance: per tensor, max |optimised - reference| <= 2e-4 * max |reference|. Both run in float32
 * with different summation orders (XNNPACK vs JS loops, avgPool vs mean, E[dz x] regrouped), which
 * moves results by ~1e-6 relative; a wrong gradient formula is off by O(1).
 */
const TOLERANCE = 2e-4;

const ARCH: UNetArch = {
  ch: 4, chMult: [1, 2], numResBlocks: 1, attnResolutions: [4], dropout: 0.1, groupNormGroups: 2,
  resamplingConv: true, imageSize: 8, inChannels: 2, outChannels: 2,
};
const BATCH = 3;

function seeded(n: number, seed: number, scale: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return a;
}

/** Parameters with non-trivial GroupNorm affines (init has gamma 1, beta 0, which hides their gradients' errors). */
function hostParams(plan: ReturnType<typeof planUNet>): Map<string, { shape: number[]; data: Float32Array }> {
  const init = initParams(plan, 7);
  let k = 100;
  for (const [name, v] of init) {
    if (name.endsWith('.gamma')) v.data = seeded(v.data.length, k++, 0.5).map((g) => 1 + g);
    if (name.endsWith('.beta')) v.data = seeded(v.data.length, k++, 0.3);
  }
  return init;
}

const CHECKED = ['conv_in.w', 'down0.block0.norm1.gamma', 'down0.block0.conv1.b', 'down0.downsample.w', 'down1.attn0.norm.beta', 'mid.attn.q.w', 'up0.block0.skip.w', 'up0.block1.norm2.gamma', 'up1.upsample.w', 'out.conv.w'];

interface Run { out: Float32Array; grads: Map<string, Float32Array> }

async function run(backend: string, forward: typeof unetForward, training: boolean): Promise<Run> {
  await tf.setBackend(backend);
  const plan = planUNet(ARCH);
  const host = hostParams(plan);
  for (const name of CHECKED) assert.ok(host.has(name), `the test plan has no parameter ${name}`);
  const params: Record<string, tf.Tensor> = {};
  for (const [name, v] of host) params[name] = tf.tensor(v.data, v.shape);
  const s = ARCH.imageSize;
  const x = tf.tensor4d(seeded(BATCH * s * s * ARCH.inChannels, 1, 1), [BATCH, s, s, ARCH.inChannels]);
  const t = tf.tensor1d([3, 500, 999]);
  const r = tf.tensor4d(seeded(BATCH * s * s * ARCH.outChannels, 2, 1), [BATCH, s, s, ARCH.outChannels]);
  const names = ['x', ...CHECKED];
  const inputs = [x, ...CHECKED.map((n) => params[n])];
  const lossOf = (...args: tf.Tensor[]) => {
    const p = { ...params };
    CHECKED.forEach((n, i) => (p[n] = args[i + 1]));
    return tf.sum(tf.mul(forward(p, plan, args[0] as tf.Tensor4D, t, { training, dropoutSeed: 11 }), r)) as tf.Scalar;
  };
  const out = forward(params, plan, x, t, { training, dropoutSeed: 11 });
  const g = tf.grads(lossOf)(inputs);
  const result: Run = { out: (await out.data()) as Float32Array, grads: new Map() };
  for (let i = 0; i < names.length; i++) result.grads.set(names[i], (await g[i].data()) as Float32Array);
  tf.dispose([out, ...g, x, t, r, ...Object.values(params)]);
  return result;
}

function relErr(a: Float32Array, ref: Float32Array): number {
  assert.equal(a.length, ref.length);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < ref.length; i++) {
    scale = Math.max(scale, Math.abs(ref[i]));
    err = Math.max(err, Math.abs(a[i] - ref[i]));
  }
  assert.ok(scale > 0, 'reference is all zeros: the check would be vacuous');
  return err / scale;
}

for (const training of [false, true]) {
  test(`optimised UNet on WASM matches the op-by-op reference on cpu (output, input and parameter gradients, training=${training})`, async () => {
    await initBackend('wasm');
    const opt = await run('wasm', unetForward, training);
    const ref = await run('cpu', unetForwardReference, training);
    await tf.setBackend('wasm');
    const errs: string[] = [];
    const outErr = relErr(opt.out, ref.out);
    if (outErr > TOLERANCE) errs.push(`output: ${outErr}`);
    for (const [name, g] of ref.grads) {
      const e = relErr(opt.grads.get(name)!, g);
      if (e > TOLERANCE) errs.push(`d/d${name}: ${e}`);
    }
    assert.deepEqual(errs, [], `relative errors above ${TOLERANCE}`);
  });
}

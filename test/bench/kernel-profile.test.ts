import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/tfjs/backend';
import { groupNorm } from '../../lib/tfjs/group-norm';
import { CUSTOM_OP_SCOPE, describeProfile, profileKernels, summariseKernels } from '../../lib/bench/kernel-profile';

before(async () => {
  await initBackend('wasm');
});

test('kernel times are summed by name, custom-gradient scopes kept apart, shares of the wall time', () => {
  const p = summariseKernels(
    [
      { kernelName: 'Conv2D', kernelTimeMs: 30 },
      { kernelName: 'Add', kernelTimeMs: 5 },
      { kernelName: 'Conv2D', kernelTimeMs: 20 },
      { kernelName: CUSTOM_OP_SCOPE, kernelTimeMs: 6 },
      { kernelName: 'Add', kernelTimeMs: 1 },
    ],
    80,
  );
  assert.deepEqual(p.kernels, [
    { kernel: 'Conv2D', ms: 50, calls: 2, share: 50 / 80 },
    { kernel: 'Add', ms: 6, calls: 2, share: 6 / 80 },
  ]);
  assert.equal(p.kernelMs, 56);
  assert.equal(p.outsideKernelsMs, 24);
  assert.deepEqual([p.customOpsMs, p.customOps], [6, 1]);
  assert.equal(describeProfile(p), 'Conv2D 63% (2x), Add 8% (2x); outside kernels 30%; custom-gradient ops (GroupNorm+swish, concat, upsample) 8% (1x), counted in their kernels');
});

test('a real profile on WASM: the kernels of a conv + GroupNorm, the GroupNorm scope apart', async () => {
  const x = tf.randomNormal([4, 8, 8, 8]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 8, 8]) as tf.Tensor4D;
  // Inside tf.tidy, as in the UNet: the custom op is then recorded under the scope's name.
  const p = await profileKernels(() => tf.tidy(() => groupNorm(tf.conv2d(x, w, 1, 'same'), tf.ones([8]), tf.zeros([8]), 2, 1e-6, true)));
  const names = p.kernels.map((k) => k.kernel);
  assert.ok(names.includes('Conv2D') || names.includes('FusedConv2D'), names.join());
  assert.ok(names.includes('Sigmoid') && names.includes('AvgPool'), names.join());
  assert.ok(!names.includes(CUSTOM_OP_SCOPE));
  assert.equal(p.customOps, 1);
  assert.ok(p.kernelMs <= p.wallMs + 1e-6 && p.kernelMs > 0);
  tf.dispose([x, w]);
});

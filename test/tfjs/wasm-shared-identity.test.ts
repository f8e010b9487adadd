import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/tfjs/backend';
import { installSharedIdentityKernels } from '../../lib/tfjs/wasm-shared-identity';

test('WASM clone/cast share buffers without changing values or lifetimes', async () => {
  await initBackend('wasm');
  installSharedIdentityKernels();
  const before = tf.memory().numDataBuffers;
  const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const c = tf.clone(x);
  const f = tf.cast(x, 'float32');
  assert.equal(tf.memory().numDataBuffers, before + 1, 'clone and same-dtype cast allocate no buffer');
  x.dispose();
  assert.deepEqual(Array.from(await c.data()), [1, 2, 3, 4], 'a clone outlives its source');
  c.dispose();
  assert.deepEqual(Array.from(await f.data()), [1, 2, 3, 4]);
  const i = tf.cast(f, 'int32');
  assert.equal(i.dtype, 'int32');
  assert.deepEqual(Array.from(await i.data()), [1, 2, 3, 4]);
  tf.dispose([f, i]);
  assert.equal(tf.memory().numDataBuffers, before, 'the shared buffer is freed with its last tensor');
  // a variable assigned after being cloned leaves the clone's values alone
  const v = tf.variable(tf.tensor1d([5, 6]));
  const snap = tf.clone(v);
  v.assign(tf.tensor1d([7, 8]));
  assert.deepEqual(Array.from(await snap.data()), [5, 6]);
  tf.dispose([v, snap]);
});

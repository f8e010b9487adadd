import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { dropout, dropoutMaskValues } from '../../lib/tfjs/dropout-mask';
import { initBackend } from '../../lib/tfjs/backend';

test('a mask drops about `rate` of the elements and keeps the mean at 1', () => {
  const n = 200000;
  for (const rate of [0.1, 0.5]) {
    const m = dropoutMaskValues(n, rate, 7);
    let zeros = 0;
    let sum = 0;
    for (const v of m) {
      if (v === 0) zeros++;
      else assert.ok(Math.abs(v - 1 / (1 - rate)) < 1e-6);
      sum += v;
    }
    // binomial standard deviation sqrt(n p (1 - p)) / n: 0.00067 at p 0.1, 0.0011 at p 0.5; 5 sd allowed
    const sd = Math.sqrt(rate * (1 - rate) / n);
    assert.ok(Math.abs(zeros / n - rate) < 5 * sd, `dropped ${zeros / n} at rate ${rate}`);
    assert.ok(Math.abs(sum / n - 1) < 5 * sd / (1 - rate), `mean ${sum / n}`);
  }
});

test('masks are a function of the seed: equal for one seed, unrelated for two', () => {
  const a = dropoutMaskValues(10000, 0.5, 1);
  assert.deepEqual(a, dropoutMaskValues(10000, 0.5, 1));
  const b = dropoutMaskValues(10000, 0.5, 2);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  // two independent masks at rate 0.5 agree on half the elements (sd 0.005)
  assert.ok(Math.abs(same / a.length - 0.5) < 0.025, `agreement ${same / a.length}`);
  // neighbouring elements are not correlated: runs of equal values are as long as for coin flips
  let changes = 0;
  for (let i = 1; i < a.length; i++) if (a[i] !== a[i - 1]) changes++;
  assert.ok(Math.abs(changes / (a.length - 1) - 0.5) < 0.025, `change rate ${changes / (a.length - 1)}`);
});

test('dropout multiplies by the mask, and its gradient is the mask', async () => {
  await initBackend('wasm');
  const x = tf.ones([4, 5, 5, 3]);
  const mask = dropoutMaskValues(x.size, 0.3, 11);
  assert.deepEqual(await dropout(x, 0.3, 11).data(), mask);
  const g = tf.grad((v: tf.Tensor) => tf.sum(dropout(v, 0.3, 11)))(x);
  assert.deepEqual(await g.data(), mask);
  assert.equal(dropout(x, 0, 11), x);
  assert.throws(() => dropoutMaskValues(3, 1, 0), /\[0, 1\)/);
});

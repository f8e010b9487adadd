/**
 * The WASM backend's BatchMatMul with transposed operands (lib/tfjs/wasm-transposing-matmul.ts):
 * every flag combination, 2-d and batched, forward and gradient, equal to
 * the cpu backend's within float32 rounding, and no backend buffer left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/tfjs/backend';

type Case = { a: number[]; b: number[]; ta: boolean; tb: boolean };
const CASES: Case[] = [
  { a: [7, 5], b: [5, 3], ta: false, tb: false },
  { a: [7, 5], b: [3, 5], ta: false, tb: true },
  { a: [5, 7], b: [5, 3], ta: true, tb: false },
  { a: [5, 7], b: [3, 5], ta: true, tb: true },
  { a: [2, 4, 6], b: [2, 3, 6], ta: false, tb: true },
  { a: [2, 6, 4], b: [2, 6, 3], ta: true, tb: false },
];

/** A tensor of fixed values (the backends' own random ops draw differently). */
const fixed = (shape: number[], seed: number) => {
  const n = shape.reduce((x, y) => x * y, 1);
  return tf.tensor(Array.from({ length: n }, (_, i) => Math.sin(0.37 * i + seed)), shape);
};

/** Products and their gradients (of a weighted sum of the product) on the current backend, as plain arrays. */
function compute(c: Case, seed: number) {
  return tf.tidy(() => {
    const a = fixed(c.a, seed);
    const b = fixed(c.b, seed + 1);
    const f = (x: tf.Tensor, y: tf.Tensor) => {
      const p = tf.matMul(x, y, c.ta, c.tb);
      return tf.sum(tf.mul(p, fixed(p.shape, seed + 2)));
    };
    const [ga, gb] = tf.grads(f)([a, b]);
    return { y: tf.matMul(a, b, c.ta, c.tb).arraySync(), ga: ga.arraySync(), gb: gb.arraySync() };
  });
}

const maxDiff = (x: unknown, y: unknown): number => {
  const fx = [x].flat(Infinity) as number[];
  const fy = [y].flat(Infinity) as number[];
  assert.equal(fx.length, fy.length);
  return Math.max(...fx.map((v, i) => Math.abs(v - fy[i])));
};

test('flagged matMuls on WASM equal the cpu backend, forward and gradient, without leaking buffers', async () => {
  await initBackend('cpu');
  const want = CASES.map((c, i) => compute(c, 10 * i));
  await initBackend('wasm');
  const ids = () => (tf.engine().backend as unknown as { numDataIds(): number }).numDataIds();
  const before = ids();
  CASES.forEach((c, i) => {
    const got = compute(c, 10 * i);
    for (const k of ['y', 'ga', 'gb'] as const) assert.ok(maxDiff(got[k], want[i][k]) < 1e-4, `case ${i} ${k}: ${maxDiff(got[k], want[i][k])}`);
  });
  assert.equal(ids(), before, 'every transposed copy is freed');
});

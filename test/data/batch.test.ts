import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fromModelOutput, toModelInput } from '../../lib/data/batch';

test('toModelInput scales bytes to [-1, 1] as x / 127.5 - 1', () => {
  const out = toModelInput(Uint8Array.from([0, 255, 127, 128]), 1, 1, 1, 4);
  assert.deepEqual(Array.from(out), [-1, 1, Math.fround(127 / 127.5 - 1), Math.fround(128 / 127.5 - 1)]);
});

test('toModelInput flips only the images asked for, keeping channel order within a pixel', () => {
  // Two 1x3 RGB images: pixel bytes are 10*image + 3*x + channel.
  const pixels = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => 10 * Math.floor(i / 9) + (i % 9));
  const out = fromModelOutput(toModelInput(pixels, 2, 1, 3, 3, [false, true]));
  assert.deepEqual(Array.from(out.subarray(0, 9)), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(Array.from(out.subarray(9)), [16, 17, 18, 13, 14, 15, 10, 11, 12]);
  assert.throws(() => toModelInput(pixels, 2, 1, 3, 3, [true]), /1 flip flags for 2 images/);
  assert.throws(() => toModelInput(pixels, 3, 1, 3, 3), /not 3 images/);
});

test('fromModelOutput clips to [-1, 1] and rounds (x + 1) * 127.5; NaN becomes 0', () => {
  const out = fromModelOutput(Float32Array.from([-1, 1, 0, -5, 5, 0.5, -0.996, NaN]));
  // 0 -> 127.5 rounds up to 128; 0.5 -> 191.25 -> 191; -0.996 -> 0.51 -> 1.
  assert.deepEqual(Array.from(out), [0, 255, 128, 0, 255, 191, 1, 0]);
});

test('bytes survive the round trip to model range and back', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(Array.from(fromModelOutput(toModelInput(all, 1, 16, 16, 1))), Array.from(all));
});

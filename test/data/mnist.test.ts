import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { loadMnist } from '../../lib/data/mnist';
import { loadFashionMnist } from '../../lib/data/fashion-mnist';
import { ImageDataset } from '../../lib/data/image-dataset';
import { readAll } from './helpers';

function meanPixel(ds: ImageDataset): number {
  const pixels = readAll(ds);
  let sum = 0;
  for (let i = 0; i < pixels.length; i++) sum += pixels[i];
  return sum / pixels.length;
}

function labelCounts(ds: ImageDataset): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const l of ds.labels ?? []) counts[l]++;
  return counts;
}

test('MNIST train: 60000 28x28x1 digits, published mean pixel and class counts', () => {
  const ds = loadMnist('train');
  assert.equal(ds.name, 'mnist/train');
  assert.deepEqual([ds.count, ds.height, ds.width, ds.channels], [60000, 28, 28, 1]);
  assert.ok(ds.labels !== null && ds.labels.length === 60000);
  // Mean 0.1307 * 255 = 33.32 is the normalisation constant every MNIST tutorial uses.
  assert.ok(Math.abs(meanPixel(ds) - 33.318) < 0.01);
  assert.deepEqual(labelCounts(ds), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  assert.equal(loadMnist('train'), ds, 'decoded once per process');
});

test('MNIST test: 10000 digits, published mean pixel and class counts', () => {
  const ds = loadMnist('test');
  assert.deepEqual([ds.count, ds.height, ds.width, ds.channels], [10000, 28, 28, 1]);
  assert.ok(Math.abs(meanPixel(ds) - 33.791) < 0.01);
  assert.deepEqual(labelCounts(ds), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
});

test('Fashion-MNIST: 60000/10000 class-balanced, interleaved by class, mean pixel near the published 0.286', () => {
  const train = loadFashionMnist('train');
  const testPart = loadFashionMnist('test');
  assert.deepEqual([train.count, train.height, train.width, train.channels], [60000, 28, 28, 1]);
  assert.deepEqual([testPart.count, testPart.height, testPart.width, testPart.channels], [10000, 28, 28, 1]);
  assert.deepEqual(labelCounts(train), new Array(10).fill(6000));
  assert.deepEqual(labelCounts(testPart), new Array(10).fill(1000));
  assert.deepEqual(Array.from(train.labels!.subarray(0, 12)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  assert.ok(Math.abs(meanPixel(train) / 255 - 0.286) < 0.001);
  assert.ok(Math.abs(meanPixel(testPart) / 255 - 0.287) < 0.002);
  assert.equal(loadFashionMnist('test'), testPart, 'decoded once per process');
});

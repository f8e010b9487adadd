import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { InMemoryImageDataset, subsetDataset } from '../../lib/data/image-dataset';

/** 4 images of 1x2x3 whose bytes are 10*image + position. */
function tinyDataset(): InMemoryImageDataset {
  const pixels = Uint8Array.from({ length: 4 * 6 }, (_, i) => 10 * Math.floor(i / 6) + (i % 6));
  return new InMemoryImageDataset('tiny/train', 1, 2, 3, pixels, Int32Array.from([3, 1, 4, 1]));
}

test('InMemoryImageDataset copies the requested images in order', () => {
  const ds = tinyDataset();
  assert.equal(ds.count, 4);
  const out = new Uint8Array(2 * 6);
  ds.readInto([3, 0], out);
  assert.deepEqual(Array.from(out), [30, 31, 32, 33, 34, 35, 0, 1, 2, 3, 4, 5]);
});

test('readInto refuses a wrong output size or an index out of range', () => {
  const ds = tinyDataset();
  assert.throws(() => ds.readInto([0], new Uint8Array(5)), /6 bytes/);
  assert.throws(() => ds.readInto([4], new Uint8Array(6)), /outside 0\.\.3/);
  assert.throws(() => ds.readInto([1.5], new Uint8Array(6)), /outside/);
  assert.throws(() => new InMemoryImageDataset('bad', 2, 2, 1, new Uint8Array(7)), /whole number/);
});

test('subsetDataset is a view with remapped indices and labels', () => {
  const ds = tinyDataset();
  const sub = subsetDataset(ds, [2, 0], 'tiny/validation');
  assert.equal(sub.name, 'tiny/validation');
  assert.equal(sub.count, 2);
  assert.deepEqual(Array.from(sub.labels!), [4, 3]);
  const out = new Uint8Array(6);
  sub.readInto([0], out);
  assert.deepEqual(Array.from(out), [20, 21, 22, 23, 24, 25]);
  assert.throws(() => sub.readInto([2], out), /outside 0\.\.1/);
  assert.throws(() => subsetDataset(ds, [4], 'x'), /outside 0\.\.3/);
});

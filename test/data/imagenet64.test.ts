import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadImageNet64 } from '../../lib/data/imagenet64';
import { writeNpz } from '../../lib/data/npz';
import { expectKitError, makeTempDir, readAll } from './helpers';

const root = makeTempDir('imagenet64');

/** Planar byte (channel c, pixel p) of global image n. */
function planarValue(n: number, c: number, p: number): number {
  return (n * 41 + c * 90 + p * 3) % 256;
}

/** A batch file with images first..first+count-1 in the downsampled-ImageNet layout (labels 1-based). */
function writeBatch(file: string, first: number, count: number, compression: 'stored' | 'deflate', labelDtype: '<i8' | '<i4' = '<i8'): void {
  const data = new Uint8Array(count * 12288);
  for (let r = 0; r < count; r++) {
    for (let c = 0; c < 3; c++) for (let p = 0; p < 4096; p++) data[r * 12288 + c * 4096 + p] = planarValue(first + r, c, p);
  }
  const labels = Array.from({ length: count }, (_, r) => ((first + r) * 97) % 1000 + 1);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeNpz(
    file,
    {
      data: { dtype: '|u1', shape: [count, 12288], data },
      labels: { dtype: labelDtype, shape: [count], data: labels },
      mean: { dtype: '<f8', shape: [3], data: [0.1, 0.2, 0.3] },
    },
    { compression },
  );
}

/** The official unpacked layout: batches 1-5 in part1 (deflated), 6-10 in part2 (stored), val separately. */
function writeDataset(dir: string): void {
  for (let b = 1; b <= 10; b++) {
    const folder = b <= 5 ? 'Imagenet64_train_part1_npz' : 'Imagenet64_train_part2_npz';
    writeBatch(path.join(dir, folder, `train_data_batch_${b}.npz`), (b - 1) * 2, 2, b <= 5 ? 'deflate' : 'stored');
  }
  writeBatch(path.join(dir, 'Imagenet64_val_npz', 'val_data.npz'), 1000, 3, 'deflate', '<i4');
}

function expectImage(pixels: Uint8Array, slot: number, n: number): void {
  for (const p of [0, 1, 777, 4095]) {
    for (let c = 0; c < 3; c++) assert.equal(pixels[slot * 12288 + p * 3 + c], planarValue(n, c, p), `image ${n} pixel ${p} channel ${c}`);
  }
}

test('ImageNet-64: npz batches in their download folders, planar rows to HWC, labels to 0-based', () => {
  writeDataset(path.join(root, 'ok'));
  const train = loadImageNet64(path.join(root, 'ok'), 'train');
  assert.deepEqual([train.name, train.count, train.height, train.width, train.channels], ['imagenet64/train', 20, 64, 64, 3]);
  assert.deepEqual(Array.from(train.labels!.subarray(0, 4)), [0, 97, 194, 291]);
  // Indices across deflated and stored batches, out of order and repeated.
  const indices = [19, 0, 7, 12, 3, 19];
  const out = new Uint8Array(indices.length * 12288);
  train.readInto(indices, out);
  indices.forEach((n, slot) => expectImage(out, slot, n));

  const val = loadImageNet64(path.join(root, 'ok'), 'test');
  assert.deepEqual([val.name, val.count], ['imagenet64/test', 3]);
  assert.deepEqual(Array.from(val.labels!), [(1000 * 97) % 1000, (1001 * 97) % 1000, (1002 * 97) % 1000]);
  const all = readAll(val);
  [1000, 1001, 1002].forEach((n, slot) => expectImage(all, slot, n));
});

test('ImageNet-64 errors: missing files, wrong row size, bad labels, not a folder', () => {
  expectKitError(() => loadImageNet64(path.join(root, 'missing'), 'train'), /dataset root .*missing is not a folder/);
  const empty = path.join(root, 'empty');
  fs.mkdirSync(empty);
  expectKitError(() => loadImageNet64(empty, 'test'), /expected val_data\.npz in .*empty or its subfolders .*; found none/);
  expectKitError(() => loadImageNet64(empty, 'train'), /expected train_data_batch_1\.npz \.\. train_data_batch_10\.npz/);

  const partial = path.join(root, 'partial');
  for (let b = 1; b <= 9; b++) writeBatch(path.join(partial, `train_data_batch_${b}.npz`), b, 1, 'stored');
  expectKitError(() => loadImageNet64(partial, 'train'), /missing train_data_batch_10\.npz/);

  const small = path.join(root, 'imagenet32');
  fs.mkdirSync(small);
  writeNpz(path.join(small, 'val_data.npz'), {
    data: { dtype: '|u1', shape: [1, 3072], data: new Uint8Array(3072) },
    labels: { dtype: '<i8', shape: [1], data: [1] },
  });
  expectKitError(() => loadImageNet64(small, 'test'), /expected 'data' of uint8 N x 12288 .* found \|u1 \(1, 3072\) \(this looks like ImageNet-32\)/);

  const badLabels = path.join(root, 'badlabels');
  fs.mkdirSync(badLabels);
  writeNpz(path.join(badLabels, 'val_data.npz'), {
    data: { dtype: '|u1', shape: [2, 12288], data: new Uint8Array(2 * 12288) },
    labels: { dtype: '<i8', shape: [2], data: [1, 0] },
  });
  expectKitError(() => loadImageNet64(badLabels, 'test'), /label 0 of image 1 in .*val_data\.npz is outside 1\.\.1000/);

  writeNpz(path.join(badLabels, 'val_data.npz'), {
    data: { dtype: '|u1', shape: [2, 12288], data: new Uint8Array(2 * 12288) },
  });
  expectKitError(() => loadImageNet64(badLabels, 'test'), /has no array 'labels'; it has data/);
});

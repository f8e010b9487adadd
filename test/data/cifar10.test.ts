import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCifar10 } from '../../lib/data/cifar10';
import { expectKitError, makeTempDir, readAll } from './helpers';

const root = makeTempDir('cifar');

/** Pixel (plane c, position p) of global image n: a value that differs per image, channel and position. */
function pixelValue(n: number, c: number, p: number): number {
  return (n * 31 + c * 85 + p * 7) % 256;
}

/** `count` binary-version records for images first..first+count-1: label byte, R plane, G plane, B plane. */
function records(first: number, count: number): Buffer {
  const buf = Buffer.alloc(count * 3073);
  for (let r = 0; r < count; r++) {
    const n = first + r;
    buf[r * 3073] = n % 10;
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) buf[r * 3073 + 1 + c * 1024 + p] = pixelValue(n, c, p);
  }
  return buf;
}

/** A cifar-10-batches-bin folder under `parent` with 2 records per train batch and 3 test records. */
function writeBatches(parent: string): string {
  const dir = path.join(parent, 'cifar-10-batches-bin');
  fs.mkdirSync(dir, { recursive: true });
  for (let b = 1; b <= 5; b++) fs.writeFileSync(path.join(dir, `data_batch_${b}.bin`), records((b - 1) * 2, 2));
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), records(100, 3));
  fs.writeFileSync(path.join(dir, 'batches.meta.txt'), 'airplane\nautomobile\n');
  return dir;
}

test('CIFAR-10 binary records decode to 32x32x3 HWC with labels, from the folder or its parent', () => {
  const dir = writeBatches(path.join(root, 'ok'));
  for (const where of [dir, path.dirname(dir)]) {
    const train = loadCifar10(where, 'train');
    assert.deepEqual([train.name, train.count, train.height, train.width, train.channels], ['cifar10/train', 10, 32, 32, 3]);
    assert.deepEqual(Array.from(train.labels!), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const pixels = readAll(train);
    for (const [n, p] of [[0, 0], [3, 33], [9, 1023]]) {
      for (let c = 0; c < 3; c++) assert.equal(pixels[n * 3072 + p * 3 + c], pixelValue(n, c, p), `image ${n} pixel ${p} channel ${c}`);
    }
  }
  const testPart = loadCifar10(dir, 'test');
  assert.equal(testPart.count, 3);
  assert.deepEqual(Array.from(testPart.labels!), [0, 1, 2]);
  const out = new Uint8Array(3072);
  testPart.readInto([2], out);
  assert.equal(out[5 * 3 + 1], pixelValue(102, 1, 5));
});

test('CIFAR-10 errors name the folder and what was expected', () => {
  expectKitError(() => loadCifar10(path.join(root, 'nowhere'), 'train'), /not a folder/, /nowhere/);
  const empty = path.join(root, 'empty');
  fs.mkdirSync(empty);
  expectKitError(
    () => loadCifar10(empty, 'train'),
    /expected data_batch_1\.bin \.\. data_batch_5\.bin and test_batch\.bin in .*empty \(the 'CIFAR-10 binary version'\); found none/,
  );
  const python = path.join(root, 'python', 'cifar-10-batches-py');
  fs.mkdirSync(python, { recursive: true });
  expectKitError(() => loadCifar10(path.dirname(python), 'train'), /python version/);

  const partial = writeBatches(path.join(root, 'partial'));
  fs.rmSync(path.join(partial, 'data_batch_4.bin'));
  expectKitError(() => loadCifar10(partial, 'train'), /missing data_batch_4\.bin/);

  const truncated = writeBatches(path.join(root, 'truncated'));
  fs.writeFileSync(path.join(truncated, 'test_batch.bin'), records(0, 3).subarray(0, 3 * 3073 - 5));
  expectKitError(() => loadCifar10(truncated, 'test'), /test_batch\.bin is 9214 bytes, expected a non-zero multiple of 3073/);
  fs.writeFileSync(path.join(truncated, 'test_batch.bin'), Buffer.alloc(0));
  expectKitError(() => loadCifar10(truncated, 'test'), /is 0 bytes/);

  const badLabel = writeBatches(path.join(root, 'badlabel'));
  const bytes = records(0, 2);
  bytes[3073] = 57;
  fs.writeFileSync(path.join(badLabel, 'test_batch.bin'), bytes);
  expectKitError(() => loadCifar10(badLabel, 'test'), /record 1 of .*test_batch\.bin has label byte 57/);
});

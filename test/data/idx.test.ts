import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { parseIdx } from '../../lib/data/idx';
import { loadMnistFromDir } from '../../lib/data/mnist';
import { expectKitError, makeTempDir, readAll } from './helpers';

const root = makeTempDir('idx');

/** IDX bytes: 0, 0, 0x08 (ubyte), ndims, big-endian dims, data. */
function idxBytes(dims: number[], data: Uint8Array, type = 0x08): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

test('parseIdx reads dimensions and data, plain or gzipped', () => {
  const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
  const plain = parseIdx(idxBytes([2, 3, 4], data), 'x');
  assert.deepEqual(plain.dims, [2, 3, 4]);
  assert.deepEqual(Array.from(plain.data), Array.from(data));
  const gz = parseIdx(zlib.gzipSync(idxBytes([2, 3, 4], data)), 'x.gz');
  assert.deepEqual(Array.from(gz.data), Array.from(data));
});

test('parseIdx refuses wrong magic, element type, truncation and broken gzip', () => {
  expectKitError(() => parseIdx(Buffer.from([1, 2, 3, 4, 5]), '/d/f'), /\/d\/f/, /magic number/);
  expectKitError(() => parseIdx(idxBytes([2], new Uint8Array(8), 0x0c), '/d/f'), /element type 0xc/);
  expectKitError(() => parseIdx(idxBytes([10, 28, 28], new Uint8Array(100)), '/d/f'), /should be 7856 bytes/);
  expectKitError(() => parseIdx(Buffer.from([0x1f, 0x8b, 1, 2, 3]), '/d/f.gz'), /gzip/);
});

test('loadMnistFromDir reads gzipped MNIST-layout files and names a missing one', () => {
  const dir = path.join(root, 'mnist');
  fs.mkdirSync(dir);
  const images = Uint8Array.from({ length: 3 * 784 }, (_, i) => i % 251);
  fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'), zlib.gzipSync(idxBytes([3, 28, 28], images)));
  fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(idxBytes([3], Uint8Array.from([7, 0, 9]))));
  const ds = loadMnistFromDir(dir, 'test');
  assert.equal(ds.count, 3);
  assert.deepEqual(Array.from(ds.labels!), [7, 0, 9]);
  assert.deepEqual(Array.from(readAll(ds)), Array.from(images));
  expectKitError(() => loadMnistFromDir(dir, 'train'), /expected train-images-idx3-ubyte \(or train-images-idx3-ubyte\.gz\)/, new RegExp(dir));

  fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(idxBytes([3], Uint8Array.from([7, 10, 9]))));
  expectKitError(() => loadMnistFromDir(dir, 'test'), /label 10 at index 1/);
  fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(idxBytes([2], Uint8Array.from([7, 1]))));
  expectKitError(() => loadMnistFromDir(dir, 'test'), /expected 3 labels/);
});

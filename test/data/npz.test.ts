import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from '../../lib/data/crc32';
import { encodeNpy, NpyData, parseNpy, parseNpyHeader, npyDataToNumbers } from '../../lib/data/npy';
import { encodeNpz, NpzFile, readNpz, writeNpz } from '../../lib/data/npz';
import { expectKitError, makeTempDir } from './helpers';
import { NUMPY_SAVEZ_BASE64, NUMPY_SAVEZ_COMPRESSED_BASE64 } from './numpy-fixtures';

const root = makeTempDir('npz');

const numbers = (data: NpyData): number[] => Array.from(npyDataToNumbers(data));

/** An .npy header for a hand-written dict, version 1. */
function npyWithHeader(dict: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const header = Buffer.from(dict + '\n', 'latin1');
  const prefix = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  return Buffer.concat([prefix, header, data]);
}

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
});

test('npy round trip for every dtype, header padded to 64 bytes like numpy', () => {
  const arrays = [
    { dtype: '|u1', shape: [2, 3], data: [0, 1, 2, 253, 254, 255] },
    { dtype: '<i4', shape: [3], data: [-5, 0, 2147483647] },
    { dtype: '<i8', shape: [2], data: [-1, 9007199254740991] },
    { dtype: '<f4', shape: [1, 2], data: [0.5, -1.25] },
    { dtype: '<f8', shape: [], data: [Math.PI] },
  ] as const;
  for (const a of arrays) {
    const bytes = encodeNpy(a);
    const header = parseNpyHeader(bytes, 'x');
    assert.equal(header.dataOffset % 64, 0);
    const back = parseNpy(bytes, 'x');
    assert.equal(back.dtype, a.dtype);
    assert.deepEqual(back.shape, [...a.shape]);
    assert.deepEqual(numbers(back.data), [...a.data]);
  }
  const f8 = encodeNpy({ dtype: '<f8', shape: [3], data: [1, 2, 3] });
  assert.equal(parseNpyHeader(f8, 'x').dataOffset, 128); // as numpy writes it
  const header = Buffer.from(f8.subarray(10, 128)).toString('latin1');
  assert.match(header, /^\{'descr': '<f8', 'fortran_order': False, 'shape': \(3,\), \} +\n$/);
});

test('npy version 2 headers (32-bit header length) are read', () => {
  const header = Buffer.from("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }    \n", 'latin1');
  const prefix = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0, 0, 0, 0]);
  prefix.writeUInt32LE(header.length, 8);
  const data = Buffer.from(Int32Array.from([-7, 9]).buffer);
  const array = parseNpy(Buffer.concat([prefix, header, data]), 'v2.npy');
  assert.deepEqual([array.dtype, array.shape, numbers(array.data)], ['<i4', [2], [-7, 9]]);
});

test('npy refuses Fortran order, unknown dtypes, bad magic and wrong data length', () => {
  expectKitError(() => parseNpy(npyWithHeader("{'descr': '<f8', 'fortran_order': True, 'shape': (1,), }", new Uint8Array(8)), 'f.npy'), /f\.npy is stored in Fortran/);
  expectKitError(() => parseNpy(npyWithHeader("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), 'f.npy'), /dtype '>f8'/);
  expectKitError(() => parseNpy(npyWithHeader("{'descr': '<u2', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(2)), 'f.npy'), /dtype '<u2'/);
  expectKitError(() => parseNpy(Buffer.from('PK\u0003\u0004 not npy'), 'f.npy'), /magic string/);
  expectKitError(() => parseNpy(npyWithHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(4)), 'f.npy'), /should hold 8 data bytes .* holds 4/);
});

test('reads .npz files written by numpy (savez with ZIP64 local extras, and savez_compressed)', () => {
  const stored = path.join(root, 'numpy-savez.npz');
  fs.writeFileSync(stored, Buffer.from(NUMPY_SAVEZ_BASE64, 'base64'));
  const a = readNpz(stored);
  assert.deepEqual(Object.keys(a), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(a.a.shape, [2, 3]);
  assert.deepEqual(numbers(a.a.data), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(numbers(a.b.data), [1.5, -2.25]);
  assert.deepEqual(Array.from(a.c.data as BigInt64Array), [1n, 1000n, -3n]);
  assert.deepEqual([a.d.dtype, ...a.d.shape, ...a.d.data], ['<f4', 1, 1, 1.5]);
  assert.deepEqual(numbers(a.e.data), [7, 8]);

  const compressed = path.join(root, 'numpy-savez-compressed.npz');
  fs.writeFileSync(compressed, Buffer.from(NUMPY_SAVEZ_COMPRESSED_BASE64, 'base64'));
  const npz = new NpzFile(compressed);
  assert.equal(npz.entry('data').compression, 'deflated');
  assert.deepEqual(npz.readHeader('data').shape, [2, 12]);
  assert.deepEqual(numbers(npz.readArray('data').data), Array.from({ length: 24 }, (_, i) => i));
});

test('writeNpz round trips stored and deflated archives; stored entries allow random access', () => {
  const arrays = {
    mu: { dtype: '<f8', shape: [3], data: [0.25, -1, 3] },
    sigma: { dtype: '<f8', shape: [3, 3], data: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
    pixels: { dtype: '|u1', shape: [4, 5], data: Uint8Array.from({ length: 20 }, (_, i) => i * 3) },
  } as const;
  for (const compression of ['stored', 'deflate'] as const) {
    const file = path.join(root, `mine-${compression}.npz`);
    writeNpz(file, arrays, { compression });
    const back = readNpz(file);
    assert.deepEqual(numbers(back.mu.data), [0.25, -1, 3]);
    assert.deepEqual(back.sigma.shape, [3, 3]);
    assert.deepEqual(numbers(back.pixels.data), Array.from(arrays.pixels.data));
    const npz = new NpzFile(file);
    assert.equal(npz.entry('pixels').compression, compression === 'stored' ? 'stored' : 'deflated');
    const header = npz.readHeader('pixels');
    if (compression === 'stored') {
      const rows = npz.readStoredRanges('pixels', [header.dataOffset + 15, header.dataOffset + 5], 5);
      assert.deepEqual(Array.from(rows), [45, 48, 51, 54, 57, 15, 18, 21, 24, 27]);
    }
  }
  // Same input, same bytes: the archive carries a fixed timestamp.
  assert.deepEqual(encodeNpz(arrays), encodeNpz(arrays));
});

test('npz errors: not a zip, missing array, corrupt data, ZIP64, truncation', () => {
  const notZip = path.join(root, 'not-zip.npz');
  fs.writeFileSync(notZip, 'just text');
  expectKitError(() => new NpzFile(notZip), /not-zip\.npz has no zip end-of-central-directory record/);
  expectKitError(() => new NpzFile(path.join(root, 'absent.npz')), /cannot open .*absent\.npz/);

  const good = Buffer.from(encodeNpz({ x: { dtype: '<i4', shape: [4], data: [1, 2, 3, 4] } }));
  const file = path.join(root, 'x.npz');
  fs.writeFileSync(file, good);
  expectKitError(() => new NpzFile(file).readArray('y'), /has no array 'y'; it has x/);

  const corrupt = Buffer.from(good);
  corrupt[30 + 5 + 128 + 2] ^= 0xff; // a data byte of x.npy
  fs.writeFileSync(file, corrupt);
  expectKitError(() => new NpzFile(file).readArray('x'), /fails its CRC-32 check/);

  const zip64 = Buffer.from(good);
  zip64.writeUInt32LE(0xffffffff, zip64.length - 22 + 16); // central directory offset -> ZIP64 marker
  fs.writeFileSync(file, zip64);
  expectKitError(() => new NpzFile(file), /is a ZIP64 archive/);

  const withLocator = Buffer.concat([good.subarray(0, good.length - 22), Buffer.alloc(20), good.subarray(good.length - 22)]);
  withLocator.writeUInt32LE(0x07064b50, good.length - 22);
  fs.writeFileSync(file, withLocator);
  expectKitError(() => new NpzFile(file), /is a ZIP64 archive/);

  fs.writeFileSync(file, Buffer.concat([good.subarray(0, 60), good.subarray(good.length - 100)]));
  expectKitError(() => new NpzFile(file).readArray('x'), /x\.npz/);
});

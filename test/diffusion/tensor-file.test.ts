/**
 * The tensor file's storage dtype (lib/diffusion/tensor-file.ts): a float32 write is byte for byte
 * what the kit always wrote (checked on the committed files), a float16 file records its dtype,
 * holds half the payload and reads back as the rounded values, and a dtype the kit does not know
 * is an error naming the file and the allowed values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { asStored, readTensorFile, writeTensorFile, type NamedArray } from '../../lib/diffusion/tensor-file';
import { roundToFloat16 } from '../../lib/util/float16';
import { isKitError } from '../../lib/util/errors';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

const root = path.join(__dirname, '..', '..');
const tmp = () => tempDir('omsdpm-tensor-file-');

/**
 * Committed weights of both precisions: the diagnosis's retrained s8 (float32, written before
 * storage.weights existed) and mnist's zoo, predictor and FID feature network (storage.weights: float16).
 */
const COMMITTED = [
  'results/mnist-diagnosis/s8-groupnorm-2/zoo/s8/ema-weights.bin',
  'results/mnist/zoo/w4/ema-weights.bin',
  'results/mnist/predictor-ddim/predictor.bin',
  'results/mnist/fid/feature-net.bin',
];

test('a committed file written again in its own precision is byte for byte the committed file (float32: no dtype in its header)', () => {
  const dir = tmp();
  try {
    const dtypes = new Set<string>();
    for (const rel of COMMITTED) {
      const file = path.join(root, rel);
      const f = readTensorFile(file);
      dtypes.add(f.dtype);
      const out = path.join(dir, path.basename(file));
      writeTensorFile(out, f.meta, [...f.arrays.values()], { dtype: f.dtype });
      assert.ok(fs.readFileSync(out).equals(fs.readFileSync(file)), `${rel} rewritten as ${f.dtype} differs from the committed bytes`);
      if (f.dtype === 'float32') {
        writeTensorFile(out, f.meta, [...f.arrays.values()]);
        assert.ok(fs.readFileSync(out).equals(fs.readFileSync(file)), `${rel}: a write without a dtype (float32) differs`);
      }
    }
    assert.deepEqual([...dtypes].sort(), ['float16', 'float32'], 'the committed files cover both precisions');
  } finally {
    removeTempDir(dir);
  }
});

test('a float16 file records its dtype, holds half the payload and reads back the rounded values', () => {
  const dir = tmp();
  try {
    const arrays: NamedArray[] = [
      { name: 'w', shape: [2, 3], data: Float32Array.from([0.1, -2, 65520, 1e-8, 1 / 3, 6.1e-5]) },
      { name: 'odd', shape: [3], data: Float32Array.from([1, 2, 3]) }, // an odd length, then another array
      { name: 'b', shape: [1], data: Float32Array.from([-0.25]) },
    ];
    const f32 = path.join(dir, 'f32.bin');
    const f16 = path.join(dir, 'f16.bin');
    writeTensorFile(f32, { kind: 'test' }, arrays);
    writeTensorFile(f16, { kind: 'test' }, arrays, { dtype: 'float16' });
    const header = (file: string) => {
      const buf = fs.readFileSync(file);
      return JSON.parse(buf.toString('utf8', 12, 12 + buf.readUInt32LE(8))) as { dtype?: string; payloadBytes: number };
    };
    assert.equal(header(f32).dtype, undefined);
    assert.equal(header(f16).dtype, 'float16');
    assert.equal(header(f32).payloadBytes, 40);
    assert.equal(header(f16).payloadBytes, 20);
    const back = readTensorFile<{ kind: string }>(f16);
    assert.equal(back.dtype, 'float16');
    assert.deepEqual(back.meta, { kind: 'test' });
    const stored = asStored(arrays, 'float16');
    for (const [i, a] of arrays.entries()) {
      const got = back.arrays.get(a.name)!;
      assert.deepEqual(got.shape, a.shape);
      assert.ok(got.data instanceof Float32Array);
      assert.deepEqual(got.data, roundToFloat16(a.data));
      assert.deepEqual(got.data, stored[i].data, 'asStored gives what the file gives back');
    }
    assert.deepEqual([...back.arrays.get('w')!.data], [0.0999755859375, -2, Infinity, 0, 0.333251953125, 1023 * 2 ** -24]);
    // the sha256 is of the payload as stored: a float16 file never shares it with its float32 twin
    const payload = fs.readFileSync(f16).subarray(12 + fs.readFileSync(f16).readUInt32LE(8));
    assert.equal(back.sha256, crypto.createHash('sha256').update(payload).digest('hex'));
    assert.notEqual(back.sha256, readTensorFile(f32).sha256);
    assert.equal(asStored(arrays, 'float32'), arrays, 'float32: the arrays themselves');
    // rounding is idempotent: writing the read-back values again gives the same file
    writeTensorFile(path.join(dir, 'again.bin'), { kind: 'test' }, [...back.arrays.values()], { dtype: 'float16' });
    assert.ok(fs.readFileSync(path.join(dir, 'again.bin')).equals(fs.readFileSync(f16)));
  } finally {
    removeTempDir(dir);
  }
});

test('a dtype the kit does not know is a KitError naming the file and the allowed values', () => {
  const dir = tmp();
  try {
    const file = path.join(dir, 'bf16.bin');
    const header = Buffer.from(JSON.stringify({ meta: null, tensors: [], payloadBytes: 0, payloadSha256: crypto.createHash('sha256').digest('hex'), dtype: 'bfloat16' }));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.length, 0);
    fs.writeFileSync(file, Buffer.concat([Buffer.from('OMSDPMT1', 'ascii'), len, header]));
    assert.throws(
      () => readTensorFile(file, 'weights of zoo model \'a\''),
      (e: unknown) => isKitError(e) && e.message.includes(file) && /dtype "bfloat16".*allowed: float32, float16/.test(e.message) && /zoo model 'a'/.test(e.message),
    );
  } finally {
    removeTempDir(dir);
  }
});

/**
 * The kit's checkpoint/weights file: a self-describing, checksummed container of named float
 * arrays plus a JSON header.
 *
 *   bytes 0..7   magic "OMSDPMT1"
 *   bytes 8..11  uint32 LE header length H
 *   bytes 12..   H bytes of UTF-8 JSON: { meta, tensors: [{name, shape, offset, length}], payloadBytes, payloadSha256, dtype? }
 *   then         payload: the arrays back to back, little-endian, as `dtype` says
 *
 * `dtype` is how the values are stored: float32 (the default; the header then has no `dtype`, as
 * every file did before float16 existed, so a float32 file is byte for byte what it always was)
 * or float16 (IEEE binary16, lib/util/float16.ts: half the bytes, for committed weights;
 * `storage.weights` in the experiment config). Reading always gives float32 arrays. Training
 * checkpoints stay float32, so a resumed run is exact.
 *
 * Reading verifies the magic, the header, the dtype, the payload length and its sha256 (of the
 * payload as stored), so a truncated or corrupted file is reported as such instead of loading
 * garbage weights. Writes are atomic.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { KitError } from '../util/errors';
import { writeFileAtomic } from '../util/atomic-file';
import { fromFloat16, roundToFloat16, toFloat16 } from '../util/float16';

const MAGIC = 'OMSDPMT1';

export interface NamedArray { name: string; shape: number[]; data: Float32Array }

/** How a tensor file stores its values. */
export type TensorDtype = 'float32' | 'float16';
export const TENSOR_DTYPES: readonly TensorDtype[] = ['float32', 'float16'];
const BYTES: Record<TensorDtype, number> = { float32: 4, float16: 2 };

interface Header {
  meta: unknown;
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
  payloadBytes: number;
  payloadSha256: string;
  /** absent: float32 */
  dtype?: TensorDtype;
}

/** The bytes `data` is stored as in a file of `dtype`. */
function storedBytes(data: Float32Array, dtype: TensorDtype): Uint8Array {
  const stored = dtype === 'float16' ? toFloat16(data) : data;
  return new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
}

/** Writes `arrays` atomically, their values stored as `dtype` (default float32: exact). */
export function writeTensorFile(file: string, meta: unknown, arrays: NamedArray[], opts: { dtype?: TensorDtype } = {}): void {
  const dtype = opts.dtype ?? 'float32';
  let total = 0;
  const index: Header['tensors'] = [];
  for (const a of arrays) {
    const n = a.shape.reduce((x, y) => x * y, 1);
    if (n !== a.data.length) throw new Error(`tensor ${a.name}: shape [${a.shape}] does not match length ${a.data.length}`);
    index.push({ name: a.name, shape: a.shape, offset: total, length: n });
    total += n * BYTES[dtype];
  }
  const payload = Buffer.alloc(total);
  for (let i = 0; i < arrays.length; i++) payload.set(storedBytes(arrays[i].data, dtype), index[i].offset);
  const header: Header = {
    meta,
    tensors: index,
    payloadBytes: total,
    payloadSha256: crypto.createHash('sha256').update(payload).digest('hex'),
    ...(dtype === 'float32' ? {} : { dtype }),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const lenBytes = Buffer.alloc(4);
  lenBytes.writeUInt32LE(headerBytes.length, 0);
  writeFileAtomic(file, Buffer.concat([Buffer.from(MAGIC, 'ascii'), lenBytes, headerBytes, payload]));
}

/**
 * The values a file of `dtype` gives back for `arrays`: the arrays themselves for float32, rounded
 * copies for float16. A producer that goes on computing after saving (accuracies, scores, sample
 * grids) must use these, never its unrounded arrays, so that what it computes reproduces from the file.
 */
export function asStored(arrays: NamedArray[], dtype: TensorDtype): NamedArray[] {
  return dtype === 'float32' ? arrays : arrays.map((a) => ({ ...a, data: roundToFloat16(a.data) }));
}

export interface TensorFile<M = unknown> { meta: M; arrays: Map<string, NamedArray>; sha256: string; dtype: TensorDtype }

/** The header's dtype (absent: float32); any other is a KitError naming the file and the allowed values. */
function headerDtype(header: Header, file: string, what: string): TensorDtype {
  const dtype = header.dtype ?? 'float32';
  if (TENSOR_DTYPES.includes(dtype)) return dtype;
  throw new KitError(`${what} ${file} stores its values as dtype ${JSON.stringify(dtype)}, which this kit cannot read; allowed: ${TENSOR_DTYPES.join(', ')}`, {
    hint: 'a file written by another version of the kit? re-run the command that writes it with this one',
  });
}

/** Reads and verifies a tensor file; every defect is a KitError naming the file. */
export function readTensorFile<M = unknown>(file: string, what = 'checkpoint'): TensorFile<M> {
  if (!fs.existsSync(file)) {
    throw new KitError(`${what} not found: ${file}`, { hint: 'train the model first (oms-dpm train-zoo --experiment NAME) or check the path' });
  }
  const buf = fs.readFileSync(file);
  const corrupt = (why: string) =>
    new KitError(`${what} ${file} is corrupt or truncated: ${why}`, {
      hint: 'delete it and re-run the command that writes it (training resumes from the previous checkpoint if one exists, else from scratch)',
    });
  if (buf.length < 12 || buf.toString('ascii', 0, 8) !== MAGIC) throw corrupt(`it does not start with the ${MAGIC} header`);
  const hlen = buf.readUInt32LE(8);
  if (12 + hlen > buf.length) throw corrupt(`header says ${hlen} bytes but the file has ${buf.length - 12}`);
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + hlen)) as Header;
  } catch (e) {
    throw corrupt(`header is not valid JSON (${(e as Error).message})`);
  }
  const dtype = headerDtype(header, file, what);
  const payload = buf.subarray(12 + hlen);
  if (payload.length !== header.payloadBytes) throw corrupt(`payload is ${payload.length} bytes, header says ${header.payloadBytes}`);
  const sha = crypto.createHash('sha256').update(payload).digest('hex');
  if (sha !== header.payloadSha256) throw corrupt('payload checksum mismatch');
  const aligned = new Uint8Array(payload.length);
  aligned.set(payload);
  const arrays = new Map<string, NamedArray>();
  for (const t of header.tensors) {
    const data = dtype === 'float16' ? fromFloat16(new Uint16Array(aligned.buffer, t.offset, t.length)) : new Float32Array(aligned.buffer, t.offset, t.length);
    arrays.set(t.name, { name: t.name, shape: t.shape, data });
  }
  return { meta: header.meta as M, arrays, sha256: sha, dtype };
}

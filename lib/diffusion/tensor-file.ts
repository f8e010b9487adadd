/**
 * The kit's checkpoint/weights file: a self-describing, checksummed container of named float32
 * arrays plus a JSON header.
 *
 *   bytes 0..7   magic "OMSDPMT1"
 *   bytes 8..11  uint32 LE header length H
 *   bytes 12..   H bytes of UTF-8 JSON: { meta, tensors: [{name, shape, offset, length}], payloadBytes, payloadSha256 }
 *   then         payload: float32 LE arrays, back to back
 *
 * Reading verifies the magic, the header, the payload length and its sha256, so a truncated or
 * corrupted file is reported as such instead of loading garbage weights. Writes are atomic.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { KitError } from '../util/errors';
import { writeFileAtomic } from '../util/atomic-file';

const MAGIC = 'OMSDPMT1';

export interface NamedArray { name: string; shape: number[]; data: Float32Array }

interface Header {
  meta: unknown;
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
  payloadBytes: number;
  payloadSha256: string;
}

export function writeTensorFile(file: string, meta: unknown, arrays: NamedArray[]): void {
  let total = 0;
  const index: Header['tensors'] = [];
  for (const a of arrays) {
    const n = a.shape.reduce((x, y) => x * y, 1);
    if (n !== a.data.length) throw new Error(`tensor ${a.name}: shape [${a.shape}] does not match length ${a.data.length}`);
    index.push({ name: a.name, shape: a.shape, offset: total, length: n });
    total += n * 4;
  }
  const payload = Buffer.alloc(total);
  for (let i = 0; i < arrays.length; i++) {
    const src = arrays[i].data;
    Buffer.from(src.buffer, src.byteOffset, src.byteLength).copy(payload, index[i].offset);
  }
  const header: Header = {
    meta,
    tensors: index,
    payloadBytes: total,
    payloadSha256: crypto.createHash('sha256').update(payload).digest('hex'),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const lenBytes = Buffer.alloc(4);
  lenBytes.writeUInt32LE(headerBytes.length, 0);
  writeFileAtomic(file, Buffer.concat([Buffer.from(MAGIC, 'ascii'), lenBytes, headerBytes, payload]));
}

export interface TensorFile<M = unknown> { meta: M; arrays: Map<string, NamedArray>; sha256: string }

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
  const payload = buf.subarray(12 + hlen);
  if (payload.length !== header.payloadBytes) throw corrupt(`payload is ${payload.length} bytes, header says ${header.payloadBytes}`);
  const sha = crypto.createHash('sha256').update(payload).digest('hex');
  if (sha !== header.payloadSha256) throw corrupt('payload checksum mismatch');
  const aligned = new Uint8Array(payload.length);
  aligned.set(payload);
  const arrays = new Map<string, NamedArray>();
  for (const t of header.tensors) {
    arrays.set(t.name, { name: t.name, shape: t.shape, data: new Float32Array(aligned.buffer, t.offset, t.length) });
  }
  return { meta: header.meta as M, arrays, sha256: sha };
}

import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { KitError } from '../util/errors';

/** An unsigned-byte IDX array (the MNIST file format): its dimensions and row-major bytes. */
export interface IdxArray {
  readonly dims: number[];
  readonly data: Uint8Array;
}

/** IDX type code for unsigned bytes, the only element type MNIST-style files use. */
const IDX_UBYTE = 0x08;
const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Parses an IDX file's bytes (gzipped or not). The magic number is checked byte by byte
 * (0, 0, type, number of dimensions) and the size against the header, so a truncated download
 * or a file of the wrong kind fails here, naming `file`, instead of yielding shifted images.
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  let raw = bytes;
  if (raw.length >= 2 && raw[0] === GZIP_MAGIC[0] && raw[1] === GZIP_MAGIC[1]) {
    try {
      raw = zlib.gunzipSync(raw);
    } catch (cause) {
      throw new KitError(`IDX: ${file} starts like a gzip file but does not decompress: ${(cause as Error).message}`, {
        hint: 'the download is probably truncated; fetch the file again',
        cause,
      });
    }
  }
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) {
    throw new KitError(`IDX: ${file} does not start with an IDX magic number (0x00 0x00 <type> <ndims>)`, {
      hint: 'point at the original MNIST-format idx file (e.g. train-images-idx3-ubyte), gzipped or not',
    });
  }
  const type = raw[2];
  const ndims = raw[3];
  if (type !== IDX_UBYTE) {
    throw new KitError(`IDX: ${file} holds element type 0x${type.toString(16)}, expected unsigned bytes (0x08)`, {
      hint: 'only uint8 IDX files (MNIST images and labels) are supported',
    });
  }
  if (ndims === 0 || raw.length < 4 + 4 * ndims) {
    throw new KitError(`IDX: ${file} has a header for ${ndims} dimensions but is only ${raw.length} bytes long`, {
      hint: 'the file is truncated or not an IDX file; fetch it again',
    });
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const headerBytes = 4 + 4 * ndims;
  const expectedBytes = headerBytes + dims.reduce((a, b) => a * b, 1);
  if (raw.length !== expectedBytes) {
    throw new KitError(
      `IDX: ${file} should be ${expectedBytes} bytes for dimensions ${dims.join('x')}, but is ${raw.length}`,
      { hint: 'the file is truncated or corrupt; fetch it again' },
    );
  }
  return { dims, data: raw.subarray(headerBytes) };
}

/** Reads and parses an IDX file; a missing file is a KitError naming it. */
export function readIdxFile(file: string): IdxArray {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (cause) {
    throw new KitError(`IDX: cannot read ${file}: ${(cause as Error).message}`, {
      hint: 'check that the file exists and is readable',
      cause,
    });
  }
  return parseIdx(bytes, file);
}

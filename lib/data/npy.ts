import { KitError } from '../util/errors';

/**
 * NumPy's .npy format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * a magic string, a version, a Python-dict header giving dtype, memory order and shape, then the
 * raw little-endian array bytes. This reads what the downsampled-ImageNet batches and FID
 * statistics files use, and writes the same, so files round-trip with `numpy.load`.
 */

/** The dtypes the kit reads and writes (little-endian or byte-sized, as numpy writes them on x86/ARM). */
export type NpyDtype = '|u1' | '<i4' | '<i8' | '<f4' | '<f8';
export type NpyData = Uint8Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

/** A decoded array: C-order `data` of `dtype` holding product(shape) elements. */
export interface NpyArray {
  readonly dtype: NpyDtype;
  readonly shape: number[];
  readonly data: NpyData;
}

/** An array to write; `data` is converted to `dtype` (plain numbers are accepted for every dtype). */
export interface NpyArrayInput {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  readonly data: NpyData | ArrayLike<number>;
}

/** What the header says, and where in the .npy bytes the array data starts. */
export interface NpyHeader {
  readonly dtype: NpyDtype;
  readonly shape: number[];
  readonly dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ITEM_BYTES: Record<NpyDtype, number> = { '|u1': 1, '<i4': 4, '<i8': 8, '<f4': 4, '<f8': 8 };
/** Aliases numpy may write for the same little-endian layouts. */
const DTYPE_ALIASES: Record<string, NpyDtype> = {
  '|u1': '|u1', '<u1': '|u1', u1: '|u1', '<i4': '<i4', '<i8': '<i8', '<f4': '<f4', '<f8': '<f8',
};

export function npyItemBytes(dtype: NpyDtype): number {
  return ITEM_BYTES[dtype];
}

export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function formatError(where: string, problem: string): KitError {
  return new KitError(`npy: ${where} ${problem}`, {
    hint: 'write the array with numpy.save/numpy.savez as a C-order array of uint8, int32, int64, float32 or float64',
  });
}

/**
 * Parses the header at the start of `bytes` (which may be just a prefix of a large file).
 * `where` names the file or npz entry for error messages.
 */
export function parseNpyHeader(bytes: Uint8Array, where: string): NpyHeader {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw formatError(where, 'does not start with the .npy magic string "\\x93NUMPY"');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw formatError(where, 'is truncated inside its header');
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else {
    throw formatError(where, `has .npy format version ${major}.${bytes[7]}, expected 1.x, 2.x or 3.x`);
  }
  if (bytes.length < headerStart + headerLength) throw formatError(where, 'is truncated inside its header');
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + headerStart, headerLength).toString(major === 3 ? 'utf8' : 'latin1');

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (descr === null || fortran === null || shapeMatch === null) {
    throw formatError(where, `has a header without descr/fortran_order/shape: ${header.trim()}`);
  }
  const dtype = DTYPE_ALIASES[descr[1]];
  if (dtype === undefined) {
    throw formatError(where, `has dtype '${descr[1]}', expected one of ${Object.keys(ITEM_BYTES).join(' ')}`);
  }
  if (fortran[1] === 'True') {
    throw formatError(where, 'is stored in Fortran (column-major) order, expected C order');
  }
  const shape = shapeMatch[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) throw formatError(where, `has an invalid shape (${shapeMatch[1]})`);
      return n;
    });
  return { dtype, shape, dataOffset: headerStart + headerLength };
}

/** Copies little-endian element bytes into a fresh, aligned typed array of `dtype`. */
export function npyDataFromBytes(dtype: NpyDtype, bytes: Uint8Array): NpyData {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  switch (dtype) {
    case '|u1':
      return copy;
    case '<i4':
      return new Int32Array(copy.buffer);
    case '<i8':
      return new BigInt64Array(copy.buffer);
    case '<f4':
      return new Float32Array(copy.buffer);
    case '<f8':
      return new Float64Array(copy.buffer);
  }
}

/** Parses a whole .npy file's bytes. */
export function parseNpy(bytes: Uint8Array, where: string): NpyArray {
  const header = parseNpyHeader(bytes, where);
  const dataBytes = shapeSize(header.shape) * ITEM_BYTES[header.dtype];
  const available = bytes.length - header.dataOffset;
  if (available !== dataBytes) {
    throw formatError(where, `should hold ${dataBytes} data bytes for ${header.dtype} shape (${header.shape.join(', ')}), but holds ${available}`);
  }
  const data = npyDataFromBytes(header.dtype, bytes.subarray(header.dataOffset));
  return { dtype: header.dtype, shape: header.shape, data };
}

/** Element values of any NpyData as plain numbers (int64 beyond 2^53 lose precision). */
export function npyDataToNumbers(data: NpyData): Float64Array {
  if (data instanceof BigInt64Array) return Float64Array.from(data, (v) => Number(v));
  return Float64Array.from(data);
}

/** `data` as a typed array of `dtype`, converting element values if needed. */
function toDtypeArray(dtype: NpyDtype, data: NpyData | ArrayLike<number>): NpyData {
  const numbers = (): ArrayLike<number> => (data instanceof BigInt64Array ? npyDataToNumbers(data) : (data as ArrayLike<number>));
  switch (dtype) {
    case '|u1':
      return data instanceof Uint8Array ? data : Uint8Array.from(numbers());
    case '<i4':
      return data instanceof Int32Array ? data : Int32Array.from(numbers());
    case '<i8':
      return data instanceof BigInt64Array ? data : BigInt64Array.from(Array.from(numbers(), (v) => BigInt(Math.trunc(v))));
    case '<f4':
      return data instanceof Float32Array ? data : Float32Array.from(numbers());
    case '<f8':
      return data instanceof Float64Array ? data : Float64Array.from(numbers());
  }
}

/** The header dict exactly as numpy formats it, e.g. {'descr': '<f8', 'fortran_order': False, 'shape': (3,), }. */
function headerDict(dtype: NpyDtype, shape: readonly number[]): string {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  return `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
}

/** Encodes an array as .npy bytes (version 1.0 unless the header needs 2.0), header padded to 64 bytes like numpy. */
export function encodeNpy(array: NpyArrayInput): Uint8Array {
  const count = shapeSize(array.shape);
  if (!array.shape.every((n) => Number.isInteger(n) && n >= 0)) throw new RangeError(`npy: invalid shape (${array.shape.join(', ')})`);
  if (array.data.length !== count) {
    throw new RangeError(`npy: shape (${array.shape.join(', ')}) needs ${count} elements, got ${array.data.length}`);
  }
  const data = toDtypeArray(array.dtype, array.data);
  const dict = headerDict(array.dtype, array.shape);
  // Header text + '\n' is padded with spaces so the data starts on a 64-byte boundary.
  const paddedLength = (prefix: number) => Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix;
  const version = paddedLength(10) <= 0xffff ? 1 : 2;
  const prefix = version === 1 ? 10 : 12;
  const padded = paddedLength(prefix);
  const header = dict + ' '.repeat(padded - dict.length - 1) + '\n';
  const dataBytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(prefix + padded + dataBytes.length);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, padded, true);
  else view.setUint32(8, padded, true);
  out.set(Buffer.from(header, 'latin1'), prefix);
  out.set(dataBytes, prefix + padded);
  return out;
}

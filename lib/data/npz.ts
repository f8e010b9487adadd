import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { KitError } from '../util/errors';
import { writeFileAtomic } from '../util/atomic-file';
import { crc32 } from './crc32';
import { encodeNpy, NpyArray, NpyArrayInput, NpyHeader, parseNpy, parseNpyHeader } from './npy';

/**
 * NumPy's .npz: a zip archive of .npy files, one per array, stored or deflated. Only the parts
 * of zip that numpy produces are handled: the central directory, stored (0) and deflated (8)
 * entries. ZIP64 archives (over 4 GB) are refused with a clear error rather than misread.
 */

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
/** The end-of-central-directory record is 22 bytes plus a comment of at most 65535. */
const EOCD_SEARCH_BYTES = 22 + 0xffff;
/** Enough inflated bytes to hold any realistic .npy header. */
const HEADER_PREFIX_BYTES = 64 * 1024;

/** One array's entry in the archive. */
export interface NpzEntry {
  /** Array name, i.e. the entry's file name without '.npy'. */
  readonly name: string;
  readonly compression: 'stored' | 'deflated';
  readonly compressedSize: number;
  readonly size: number;
  readonly crc32: number;
  readonly localHeaderOffset: number;
}

function npzError(file: string, problem: string): KitError {
  return new KitError(`npz: ${file} ${problem}`, {
    hint: 'the file is truncated or not a numpy .npz archive; re-download or re-create it (numpy.savez / savez_compressed)',
  });
}

function zip64Error(file: string): KitError {
  return new KitError(`npz: ${file} is a ZIP64 archive (over 4 GB or 65535 entries), which is not supported`, {
    hint: 'split the arrays over several .npz files of under 4 GB each',
  });
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** An open-on-demand view of an .npz file: its entries from the central directory, read one at a time. */
export class NpzFile {
  readonly entries: ReadonlyMap<string, NpzEntry>;
  private readonly fileSize: number;

  constructor(readonly file: string) {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (cause) {
      throw new KitError(`npz: cannot open ${file}: ${(cause as Error).message}`, {
        hint: 'check that the file exists and is readable',
        cause,
      });
    }
    try {
      this.fileSize = fs.fstatSync(fd).size;
      this.entries = this.readCentralDirectory(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Array names in archive order. */
  arrayNames(): string[] {
    return [...this.entries.keys()];
  }

  private readCentralDirectory(fd: number): Map<string, NpzEntry> {
    const tailLength = Math.min(this.fileSize, EOCD_SEARCH_BYTES);
    const tail = readAt(fd, this.fileSize - tailLength, tailLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw npzError(this.file, 'has no zip end-of-central-directory record');
    if (eocd >= 20 && tail.readUInt32LE(eocd - 20) === ZIP64_LOCATOR_SIGNATURE) throw zip64Error(this.file);
    const entryCount = tail.readUInt16LE(eocd + 10);
    const directorySize = tail.readUInt32LE(eocd + 12);
    const directoryOffset = tail.readUInt32LE(eocd + 16);
    if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) throw zip64Error(this.file);
    if (directoryOffset + directorySize > this.fileSize) throw npzError(this.file, 'has a central directory past its end');

    const directory = readAt(fd, directoryOffset, directorySize);
    const entries = new Map<string, NpzEntry>();
    let p = 0;
    for (let i = 0; i < entryCount; i++) {
      if (p + 46 > directory.length || directory.readUInt32LE(p) !== CENTRAL_SIGNATURE) {
        throw npzError(this.file, `has a damaged central directory (entry ${i})`);
      }
      const method = directory.readUInt16LE(p + 10);
      const crc = directory.readUInt32LE(p + 16);
      const compressedSize = directory.readUInt32LE(p + 20);
      const size = directory.readUInt32LE(p + 24);
      const nameLength = directory.readUInt16LE(p + 28);
      const extraLength = directory.readUInt16LE(p + 30);
      const commentLength = directory.readUInt16LE(p + 32);
      const localHeaderOffset = directory.readUInt32LE(p + 42);
      const fileName = directory.toString('utf8', p + 46, p + 46 + nameLength);
      if (compressedSize === 0xffffffff || size === 0xffffffff || localHeaderOffset === 0xffffffff) throw zip64Error(this.file);
      if (method !== METHOD_STORED && method !== METHOD_DEFLATED) {
        throw npzError(this.file, `entry ${fileName} uses zip compression method ${method}; only stored (0) and deflated (8) are supported`);
      }
      const name = fileName.endsWith('.npy') ? fileName.slice(0, -4) : fileName;
      entries.set(name, {
        name,
        compression: method === METHOD_STORED ? 'stored' : 'deflated',
        compressedSize,
        size,
        crc32: crc,
        localHeaderOffset,
      });
      p += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  }

  /** The entry for array `name`, or a KitError listing the arrays the file has. */
  entry(name: string): NpzEntry {
    const entry = this.entries.get(name);
    if (entry === undefined) {
      throw new KitError(`npz: ${this.file} has no array '${name}'; it has ${this.arrayNames().join(', ') || 'no arrays'}`, {
        hint: 'check that this is the right file',
      });
    }
    return entry;
  }

  /** Offset in the file where the entry's (possibly compressed) bytes start, from its local header. */
  private dataStart(fd: number, entry: NpzEntry): number {
    const local = readAt(fd, entry.localHeaderOffset, 30);
    if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_SIGNATURE) {
      throw npzError(this.file, `has no local header for entry ${entry.name} at offset ${entry.localHeaderOffset}`);
    }
    const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (start + entry.compressedSize > this.fileSize) throw npzError(this.file, `is truncated inside entry ${entry.name}`);
    return start;
  }

  private withFile<T>(use: (fd: number) => T): T {
    const fd = fs.openSync(this.file, 'r');
    try {
      return use(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The whole .npy content of `name`, inflated if needed and CRC-checked. */
  readEntryBytes(name: string): Uint8Array {
    const entry = this.entry(name);
    const stored = this.withFile((fd) => readAt(fd, this.dataStart(fd, entry), entry.compressedSize));
    let bytes: Uint8Array = stored;
    if (entry.compression === 'deflated') {
      try {
        bytes = zlib.inflateRawSync(stored);
      } catch (cause) {
        throw npzError(this.file, `entry ${name} does not inflate: ${(cause as Error).message}`);
      }
    }
    if (bytes.length !== entry.size) throw npzError(this.file, `entry ${name} is ${bytes.length} bytes, its directory says ${entry.size}`);
    if (crc32(bytes) !== entry.crc32) throw npzError(this.file, `entry ${name} fails its CRC-32 check (corrupt data)`);
    return bytes;
  }

  /** Array `name`, fully decoded. */
  readArray(name: string): NpyArray {
    return parseNpy(this.readEntryBytes(name), `${this.file}:${name}.npy`);
  }

  /**
   * The .npy header of `name` without reading the array: stored entries read a prefix, deflated
   * ones inflate only a prefix (a sync flush accepts the truncated stream).
   */
  readHeader(name: string): NpyHeader {
    const entry = this.entry(name);
    const prefix = this.withFile((fd) => readAt(fd, this.dataStart(fd, entry), Math.min(entry.compressedSize, HEADER_PREFIX_BYTES)));
    let head: Uint8Array = prefix;
    if (entry.compression === 'deflated') {
      try {
        head = zlib.inflateRawSync(prefix, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      } catch (cause) {
        throw npzError(this.file, `entry ${name} does not inflate: ${(cause as Error).message}`);
      }
    }
    return parseNpyHeader(head, `${this.file}:${name}.npy`);
  }

  /**
   * `length` bytes at each of `offsets` within the .npy content of a stored entry, read directly
   * from disk and concatenated: random access to rows without loading the array. Deflated entries
   * cannot be read this way (use readEntryBytes).
   */
  readStoredRanges(name: string, offsets: ArrayLike<number>, length: number): Uint8Array {
    const entry = this.entry(name);
    if (entry.compression !== 'stored') throw new Error(`npz: ${this.file}:${name} is deflated; random access needs a stored entry`);
    const out = new Uint8Array(offsets.length * length);
    this.withFile((fd) => {
      const start = this.dataStart(fd, entry);
      for (let i = 0; i < offsets.length; i++) {
        const offset = offsets[i];
        if (offset < 0 || offset + length > entry.size) throw new RangeError(`npz: range ${offset}+${length} is outside entry ${name} (${entry.size} bytes)`);
        const bytes = readAt(fd, start + offset, length);
        if (bytes.length !== length) throw npzError(this.file, `is truncated inside entry ${name}`);
        out.set(bytes, i * length);
      }
    });
    return out;
  }
}

/** Reads every array of an .npz file. */
export function readNpz(file: string): Record<string, NpyArray> {
  const npz = new NpzFile(file);
  const out: Record<string, NpyArray> = {};
  for (const name of npz.arrayNames()) out[name] = npz.readArray(name);
  return out;
}

/** DOS date for 1980-01-01 00:00: a fixed timestamp keeps written files byte-identical across runs. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/**
 * Builds .npz bytes from named arrays. Entries are stored by default (what the kit's FID
 * statistics use: fast to read, random access); `compression: 'deflate'` matches savez_compressed.
 */
export function encodeNpz(arrays: Record<string, NpyArrayInput>, options: { compression?: 'stored' | 'deflate' } = {}): Uint8Array {
  const deflate = options.compression === 'deflate';
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, array] of Object.entries(arrays)) {
    const npy = encodeNpy(array);
    const body = deflate ? zlib.deflateRawSync(npy) : Buffer.from(npy.buffer, npy.byteOffset, npy.byteLength);
    const fileName = Buffer.from(`${name}.npy`, 'utf8');
    const crc = crc32(npy);
    const method = deflate ? METHOD_DEFLATED : METHOD_STORED;
    if (offset + 30 + fileName.length + body.length > 0xfffffffe) throw new RangeError('npz: archives over 4 GB (ZIP64) are not supported');

    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_SIGNATURE, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(npy.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    local.writeUInt16LE(0, 28); // extra length

    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_SIGNATURE, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6); // version needed
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(npy.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42); // disk/attributes fields before it stay 0

    locals.push(local, fileName, body);
    centrals.push(central, fileName);
    offset += 30 + fileName.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const entryCount = Object.keys(arrays).length;
  if (entryCount >= 0xffff) throw new RangeError('npz: 65535 or more arrays (ZIP64) are not supported');
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(EOCD_SIGNATURE, 0);
  eocd.writeUInt16LE(entryCount, 8);
  eocd.writeUInt16LE(entryCount, 10);
  eocd.writeUInt32LE(directory.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, eocd]);
}

/** Writes named arrays to an .npz file atomically (never a half-written archive). */
export function writeNpz(file: string, arrays: Record<string, NpyArrayInput>, options: { compression?: 'stored' | 'deflate' } = {}): void {
  writeFileAtomic(file, encodeNpz(arrays, options));
}

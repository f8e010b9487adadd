import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatJson } from './json-format';

/**
 * Writes `data` to `file` so that a kill at any moment leaves either the old file or the new one,
 * never a half-written file: write a sibling temp file, fsync it, rename it over the target.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeAndSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    // a failed write (a full disk, most often) leaves no temp file beside the target to pile up
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

function writeAndSync(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** `writeFileAtomic` for JSON, laid out by `formatJson` (indented, lists of plain values on one line). */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, formatJson(value));
}

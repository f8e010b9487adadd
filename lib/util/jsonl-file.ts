/**
 * Append-only JSON-lines files (the schedule-FID dataset, the front's FID cache): one JSON value
 * per line, appended whole with one fsynced write, so a kill loses at most the line in flight.
 * That line is recognisable: it is the only one without its newline. Readers see the complete
 * lines and whether such a partial line was there; `cutPartialLine` removes it before the next
 * append so that the file stays one value per line.
 */
import * as fs from 'node:fs';

export interface JsonLines {
  /** the complete lines, without their newlines */
  lines: string[];
  /** whether the file ended in a line without its newline (a write cut short) */
  partial: boolean;
}

export function readJsonLines(file: string): JsonLines {
  const parts = fs.readFileSync(file, 'utf8').split('\n');
  const last = parts.pop() as string; // '' after a final newline, else the line in flight
  return { lines: parts, partial: last !== '' };
}

/** Truncates the file after its last newline (drops a line cut short by a kill). */
export function cutPartialLine(file: string): void {
  const text = fs.readFileSync(file, 'utf8');
  fs.truncateSync(file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1), 'utf8'));
}

/** Appends `value` as one line, in one write call, fsynced. */
export function appendJsonLine(file: string, value: unknown): void {
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, JSON.stringify(value) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

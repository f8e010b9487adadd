/**
 * The schedule-FID dataset of one experiment and solver: a JSON-lines file whose first line is a
 * header (what the records were made with) and every further line one record. Records are appended
 * one whole line per write, so a kill loses at most the record being written: a last line without
 * its newline is that record in flight, dropped (and cut off before the next append). Any other
 * malformed line, a header of another experiment or solver, or records of the wrong schedule
 * length are errors that name the file and line. Records are read back in id order.
 */
import * as fs from 'node:fs';
import { KitError } from '../util/errors';
import { writeFileAtomic } from '../util/atomic-file';
import { appendJsonLine, cutPartialLine, readJsonLines } from '../util/jsonl-file';
import type { SolverName } from '../schedule/index';

export interface DatasetHeader {
  kind: 'oms-dpm-schedule-fid-dataset';
  version: 1;
  experiment: string;
  solver: SolverName;
  /** schedule length L of every record */
  length: number;
  numModels: number;
  /** hash of everything a record's FID depends on (zoo, sampler settings, FID reference) */
  recordKey: string;
  featureNetwork: string;
  images: number;
  scheduleSeed: number;
  splitSeed: number;
  trainRatio: number;
  /**
   * 'active' for a dataset grown by active collection (lib/active/): its training-split records
   * past the random start were chosen by a predictor ensemble. Absent for random collection, so
   * the datasets made before there was a choice keep their headers.
   */
  strategy?: 'active';
}

export interface ScheduleRecord {
  id: number;
  split: 'train' | 'validation';
  solver: SolverName;
  schedule: number[];
  fid: number;
  costMs: number | null;
  nfe: number;
  images: number;
  seed: number;
  configHash: string;
  engine: string;
  seconds: number;
  /** Active collection only: the round whose ensemble chose the schedule (absent: drawn from the random distribution, as random collection draws it). */
  round?: number;
}

export interface DatasetContents { header: DatasetHeader; records: ScheduleRecord[]; droppedPartialLine: boolean }

function fail(file: string, line: number, why: string, hint: string): never {
  throw new KitError(`schedule-FID dataset ${file}, line ${line}: ${why}`, { hint });
}

/** Reads and checks a dataset file; `expect` (if given) must match the header's identity fields. */
export function readDataset(file: string, expect?: Partial<DatasetHeader>): DatasetContents {
  if (!fs.existsSync(file)) {
    throw new KitError(`no schedule-FID dataset at ${file}`, { hint: `collect it first: oms-dpm collect --experiment ${expect?.experiment ?? '<name>'} --solver ${expect?.solver ?? '<solver>'} --count <n> (or npm run reproduce)` });
  }
  const { lines, partial: droppedPartialLine } = readJsonLines(file);
  if (!droppedPartialLine && lines.every((l) => l.trim() === '')) fail(file, 1, 'the file is empty: no header line', 'move it away to start a new dataset, or restore it from git');
  const restore = 'restore the file from git (results/ is committed) or move it away to start a new dataset';
  if (lines.length === 0) fail(file, 1, 'the file is empty: no header line', restore);
  let header: DatasetHeader;
  try {
    header = JSON.parse(lines[0]) as DatasetHeader;
  } catch {
    fail(file, 1, 'the header is not valid JSON', restore);
  }
  if (header.kind !== 'oms-dpm-schedule-fid-dataset') fail(file, 1, `this is not a schedule-FID dataset (kind ${JSON.stringify(header.kind)})`, restore);
  if (expect) {
    for (const [k, v] of Object.entries(expect)) {
      const have = (header as unknown as Record<string, unknown>)[k];
      if (JSON.stringify(have) !== JSON.stringify(v)) {
        fail(file, 1, `the dataset was made with ${k} = ${JSON.stringify(have)}, this run has ${JSON.stringify(v)}`,
          k === 'experiment' || k === 'solver'
            ? 'this file belongs to another experiment or solver: give the right --experiment/--solver'
            : k === 'strategy'
              ? 'random and active collection keep separate files (schedule-fid-<solver>.jsonl, schedule-fid-<solver>.active.jsonl): move this file to the name its header says'
              : 'the zoo, sampler or FID settings changed since the records were made: move the file away to collect a new dataset, or restore the settings');
      }
    }
  }
  const records: ScheduleRecord[] = [];
  const ids = new Set<number>();
  for (let i = 1; i < lines.length; i++) {
    let r: ScheduleRecord;
    try {
      r = JSON.parse(lines[i]) as ScheduleRecord;
    } catch {
      fail(file, i + 1, 'the line is not valid JSON (corrupted in the middle of the file)', restore);
    }
    if (!Array.isArray(r.schedule) || r.schedule.length !== header.length) {
      fail(file, i + 1, `record ${r.id} has a schedule of length ${Array.isArray(r.schedule) ? r.schedule.length : 'none'}, the dataset's length is ${header.length}`, restore);
    }
    if (typeof r.fid !== 'number' || !Number.isFinite(r.fid)) fail(file, i + 1, `record ${r.id} has no finite FID`, restore);
    if (ids.has(r.id)) fail(file, i + 1, `record id ${r.id} appears twice`, restore);
    ids.add(r.id);
    records.push(r);
  }
  // Workers append in completion order; readers see id order, so everything made from the records
  // (splits, predictor batches, summaries) is the same however the collection was interrupted.
  records.sort((a, b) => a.id - b.id);
  return { header, records, droppedPartialLine };
}

/** Creates the file with its header (atomically), or checks the existing header and cuts a partial last line. */
export function openDataset(file: string, header: DatasetHeader): DatasetContents {
  if (!fs.existsSync(file)) {
    writeFileAtomic(file, JSON.stringify(header) + '\n');
    return { header, records: [], droppedPartialLine: false };
  }
  const contents = readDataset(file, identityOf(header));
  if (contents.droppedPartialLine) cutPartialLine(file);
  return contents;
}

/** What a record's meaning depends on: records made under another identity cannot be mixed in. */
function identityOf(h: DatasetHeader): Partial<DatasetHeader> {
  const { experiment, solver, length, numModels, recordKey, images, scheduleSeed, splitSeed, trainRatio, strategy } = h;
  return { experiment, solver, length, numModels, recordKey, images, scheduleSeed, splitSeed, trainRatio, strategy };
}

/**
 * When `file` holds a dataset made under another identity than `header` (the zoo, sampler or FID
 * settings changed), renames it to `<name>.superseded-<its record key>.jsonl` beside it, so a new
 * collection can start without losing the old records, and returns the new name; otherwise null.
 * A file that is not a readable dataset is left alone (opening it reports the damage).
 */
export function setAsideSupersededDataset(file: string, header: DatasetHeader): string | null {
  if (!fs.existsSync(file)) return null;
  let old: DatasetHeader;
  try {
    old = readDataset(file).header;
  } catch {
    return null;
  }
  const want = identityOf(header);
  const have = identityOf(old);
  if (JSON.stringify(want) === JSON.stringify(have)) return null;
  const aside = file.replace(/\.jsonl$/, '') + `.superseded-${old.recordKey}.jsonl`;
  fs.renameSync(file, aside);
  return aside;
}

/** Appends one record as a single line (one write call). */
export function appendRecord(file: string, r: ScheduleRecord): void {
  appendJsonLine(file, r);
}

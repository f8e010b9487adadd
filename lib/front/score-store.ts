/**
 * The front's FID cache on disk: results/<experiment>/front-<solver>-scores.jsonl, a header line
 * (what the FIDs depend on: zoo weights, sampler settings, FID reference, engine) and one line per
 * scored schedule, appended as soon as it is scored: a selection FID (first `images` images of the
 * noise bank), or a held-out evaluation (kind 'held-out': FID on a held-out range, its value on every
 * bootstrap resample, and the samples' quality), from which intervals and paired differences are
 * recomputed without sampling again. A candidate scored once serves every budget it
 * fits, every series that proposes it and every later run; a kill loses at most the FID in flight
 * (a last line without its newline is dropped and cut off). A header with another identity means
 * the FIDs no longer apply: the file is started again.
 */
import * as fs from 'node:fs';
import type { SampleQuality } from '../metrics/sample-quality';
import type { SolverName } from '../schedule/index';
import { writeFileAtomic } from '../util/atomic-file';
import { KitError } from '../util/errors';
import { appendJsonLine, cutPartialLine, readJsonLines } from '../util/jsonl-file';
import { candidateKey } from './candidate';

export interface StoredScore {
  solver: SolverName;
  schedule: number[];
  images: number;
  fid: number;
  engine: string;
  seconds: number;
}

export interface HeldOutScore {
  kind: 'held-out';
  solver: SolverName;
  schedule: number[];
  /** noise-bank images [start, start + images) */
  start: number;
  images: number;
  fid: number;
  /** bootstrap seed and the FID on each resample (rounded to 1e-6) */
  seed: number;
  resampled: number[];
  quality: SampleQuality | null;
  engine: string;
  seconds: number;
}

interface StoreHeader {
  kind: 'oms-dpm-front-scores';
  version: 1;
  identity: string;
}

const key = (solver: SolverName, schedule: readonly number[], images: number) => `${images}|${candidateKey(solver, schedule)}`;
const heldOutKey = (solver: SolverName, schedule: readonly number[], h: HeldOutRange) => `held-out|${h.start}|${h.images}|${h.seed}|${h.resamples}|${candidateKey(solver, schedule)}`;

/** What a held-out evaluation is keyed by besides the schedule. */
export interface HeldOutRange {
  start: number;
  images: number;
  seed: number;
  resamples: number;
}

export class FrontScoreStore {
  private readonly scores = new Map<string, StoredScore>();
  private readonly heldOut = new Map<string, HeldOutScore>();

  private constructor(readonly file: string, readonly identity: string, readonly reset: boolean) {}

  /** Opens (or creates, or restarts when `identity` differs) the cache file. */
  static open(file: string, identity: string): FrontScoreStore {
    const header: StoreHeader = { kind: 'oms-dpm-front-scores', version: 1, identity };
    if (!fs.existsSync(file)) {
      writeFileAtomic(file, JSON.stringify(header) + '\n');
      return new FrontScoreStore(file, identity, false);
    }
    const { lines: complete, partial } = readJsonLines(file);
    let old: StoreHeader | null = null;
    try {
      old = JSON.parse(complete[0] ?? '') as StoreHeader;
    } catch {
      old = null;
    }
    if (!old || old.kind !== header.kind || old.identity !== identity) {
      writeFileAtomic(file, JSON.stringify(header) + '\n');
      return new FrontScoreStore(file, identity, old !== null && old.kind === header.kind);
    }
    const store = new FrontScoreStore(file, identity, false);
    store.load(complete.slice(1));
    if (partial) cutPartialLine(file);
    return store;
  }

  /**
   * The cache as stored, read only (nothing is written, a last partial line is ignored): null when
   * the file is missing or holds the FIDs of another identity (zoo, sampler, FID reference, engine).
   */
  static read(file: string, identity: string): FrontScoreStore | null {
    if (!fs.existsSync(file)) return null;
    const { lines } = readJsonLines(file);
    let header: StoreHeader | null = null;
    try {
      header = JSON.parse(lines[0] ?? '') as StoreHeader;
    } catch {
      return null;
    }
    if (!header || header.kind !== 'oms-dpm-front-scores' || header.identity !== identity) return null;
    const store = new FrontScoreStore(file, identity, false);
    store.load(lines.slice(1));
    return store;
  }

  /** Takes in the score lines after the header (line 2 on). */
  private load(lines: readonly string[]): void {
    const file = this.file;
    lines.forEach((line, i) => {
      let s: StoredScore | HeldOutScore;
      try {
        s = JSON.parse(line) as StoredScore | HeldOutScore;
      } catch {
        throw new KitError(`front FID cache ${file}, line ${i + 2} is not valid JSON (corrupted in the middle of the file)`, {
          hint: 'delete the file: the front recomputes the FIDs it needs',
        });
      }
      if ('kind' in s && s.kind === 'held-out') this.heldOut.set(heldOutKey(s.solver, s.schedule, { ...s, resamples: s.resampled.length }), s);
      else this.scores.set(key(s.solver, s.schedule, s.images), s);
    });
  }

  get size(): number {
    return this.scores.size + this.heldOut.size;
  }

  get(solver: SolverName, schedule: readonly number[], images: number): StoredScore | undefined {
    return this.scores.get(key(solver, schedule, images));
  }

  /** Keeps `s` and appends it to the file as one line (one write, fsynced). */
  put(s: StoredScore): void {
    this.scores.set(key(s.solver, s.schedule, s.images), s);
    appendJsonLine(this.file, s);
  }

  getHeldOut(solver: SolverName, schedule: readonly number[], range: HeldOutRange): HeldOutScore | undefined {
    return this.heldOut.get(heldOutKey(solver, schedule, range));
  }

  /** As `put`, for a held-out evaluation. */
  putHeldOut(s: HeldOutScore): void {
    this.heldOut.set(heldOutKey(s.solver, s.schedule, { ...s, resamples: s.resampled.length }), s);
    appendJsonLine(this.file, s);
  }
}

/**
 * Where the front's ensemble spread (ensemble-spread.ts) gets its members: front.supportEnsemble
 * LSTM predictors trained by active collection's member trainer (lib/predictor/lstm-ensemble.ts,
 * member-training.ts: the predictor.* settings, collection.active.epochs, trainingProcesses at a
 * time in child processes) on bootstrap resamples of the whole training split. Their seeds come
 * from a stream of their own ('front-support', from the front's seed), so they are never an active
 * round's members. The validation records never reach them: their spreads set the threshold.
 *
 * Kept in a folder under runs/ (runs/<experiment>/front-<solver>/support-ensemble/ for the
 * experiment's front, the point's folder for the collection study): member-<k>.bin, then, written
 * last and atomically, ensemble.json with the key the members were trained under and each file's
 * hash. They are reused while the key is the same, like a predictor while it is current: the
 * training records (ids, schedules, FIDs, taken in id order, so a dataset read in another order
 * gives the same members), the member count, seed and stream, and the members' training settings.
 * Otherwise the folder is emptied and the members trained again; a kill while they train leaves no
 * ensemble.json, so the next run trains again rather than trusting a half-written folder.
 *
 * `RunSpread` is the spread of one front run: made on first use, released when the run ends.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ScheduleRecord } from '../collection/dataset-file';
import { hashOf } from '../config/index';
import type { EnsembleRecord, EnsembleRound, PredictorEnsemble } from '../predictor/ensemble';
import { lstmEnsembleTrainer, memberFile, openLstmEnsemble } from '../predictor/lstm-ensemble';
import type { MemberSpec } from '../predictor/member-training';
import { writeJsonAtomic } from '../util/atomic-file';
import { checkSpreadRecords, EnsembleSpread } from './ensemble-spread';
import type { FrontEvent, FrontInputs, SupportEnsembleReady } from './front-inputs';

/** The seed streams of the support ensemble's resamples and members (active rounds use 'active'). */
export const SUPPORT_STREAM = 'front-support';
const MANIFEST = 'ensemble.json';
const KIND = 'oms-dpm-support-ensemble';

export interface SupportEnsembleSpec {
  /** K, front.supportEnsemble (at least 2) */
  members: number;
  /** seed of the resamples (the front's seed) */
  seed: number;
  /** what each member's training depends on besides its records */
  member: MemberSpec;
  /** members trained at once, each in a child process (1: one after another in this process) */
  processes: number;
  /** the folder the members are kept in */
  dir: string;
}

interface Manifest { kind: typeof KIND; version: 1; key: string; records: number; seconds: number; files: { file: string; sha256: string }[] }

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** What the members depend on (see the file comment); `training` in id order. */
export function supportEnsembleKey(spec: SupportEnsembleSpec, training: readonly EnsembleRecord[]): string {
  return hashOf({
    version: 1,
    members: spec.members,
    seed: spec.seed,
    stream: SUPPORT_STREAM,
    member: spec.member,
    training: training.map((r) => [r.id, r.schedule, r.fid]),
  });
}

/** The kept members' files when ensemble.json has `key` and every file its hash; else why not. */
function keptFiles(dir: string, key: string): { files: string[] } | { why: string } {
  const file = path.join(dir, MANIFEST);
  if (!fs.existsSync(file)) return { why: `no support ensemble kept in ${dir}` };
  let m: Manifest;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    return { why: `${file} cannot be read (${(e as Error).message})` };
  }
  if (m.kind !== KIND || m.version !== 1 || m.key !== key) return { why: `the kept support ensemble was trained on other records or settings (key ${m.key}, now ${key})` };
  const files = m.files.map((f) => path.join(dir, f.file));
  const changed = m.files.find((f, i) => !fs.existsSync(files[i]) || sha256(files[i]) !== f.sha256);
  return changed ? { why: `the kept member ${changed.file} is missing or changed` } : { files };
}

/** Trains the members into `spec.dir` (emptied first) and writes ensemble.json last. */
async function trainKept(spec: SupportEnsembleSpec, training: readonly EnsembleRecord[], key: string): Promise<PredictorEnsemble> {
  fs.rmSync(spec.dir, { recursive: true, force: true });
  fs.mkdirSync(spec.dir, { recursive: true });
  const t0 = Date.now();
  const round: EnsembleRound = { round: 1, members: spec.members, seed: spec.seed, stream: SUPPORT_STREAM };
  const ensemble = await lstmEnsembleTrainer({ ...spec.member, processes: spec.processes, keepIn: spec.dir })(training, round);
  try {
    const files = Array.from({ length: spec.members }, (_, k) => ({ file: path.basename(memberFile(spec.dir, k)), sha256: sha256(memberFile(spec.dir, k)) }));
    const manifest: Manifest = { kind: KIND, version: 1, key, records: training.length, seconds: (Date.now() - t0) / 1000, files };
    writeJsonAtomic(path.join(spec.dir, MANIFEST), manifest);
  } catch (e) {
    await ensemble.release();
    throw e;
  }
  return ensemble;
}

/** The support ensemble for `training` (id order), reused from `spec.dir` while current, else trained there; see the file comment. */
export async function ensureSupportEnsemble(spec: SupportEnsembleSpec, training: readonly EnsembleRecord[], onTraining?: (why: string) => void): Promise<SupportEnsembleReady> {
  const t0 = Date.now();
  const key = supportEnsembleKey(spec, training);
  const kept = keptFiles(spec.dir, key);
  if ('files' in kept) return { ensemble: await openLstmEnsemble(kept.files), reused: true, seconds: (Date.now() - t0) / 1000 };
  onTraining?.(kept.why);
  const ensemble = await trainKept(spec, training, key);
  return { ensemble, reused: false, seconds: (Date.now() - t0) / 1000 };
}

/** The ensemble spread of one front run: made on first use, its members released by `release`. */
export class RunSpread {
  private made: Promise<EnsembleSpread | null> | null = null;
  private ensemble: PredictorEnsemble | null = null;

  constructor(private readonly run: FrontInputs, private readonly records: () => readonly ScheduleRecord[]) {}

  /**
   * Whether OMS-DPM's re-rank measures a spread: a source, front.supportEnsemble > 0, and trusted
   * candidates to choose (front.rerankTrusted > 0): only they are chosen by the support, so without
   * them the members would be trained to annotate the table alone.
   */
  get wanted(): boolean {
    const s = this.run.settings;
    return this.run.supportEnsemble !== undefined && s.supportEnsemble > 0 && s.rerankTrusted > 0;
  }

  /** The spread, or null when not wanted or with fewer than 2 training records (then there is no support at all). */
  get(): Promise<EnsembleSpread | null> {
    return (this.made ??= this.make());
  }

  private async make(): Promise<EnsembleSpread | null> {
    if (!this.wanted) return null;
    const records = this.records();
    const training = records.filter((r) => r.split === 'train').sort((a, b) => a.id - b.id);
    if (training.length < 2) return null;
    const validation = records.filter((r) => r.split === 'validation');
    checkSpreadRecords(training.length, validation.length);
    const members = this.run.settings.supportEnsemble;
    const ready = await this.run.supportEnsemble!(training, (why) => this.run.onEvent?.({ kind: 'support-training', members, records: training.length, why }));
    this.ensemble = ready.ensemble;
    const spread = await EnsembleSpread.measure(ready.ensemble, training.map((r) => r.schedule), validation.map((r) => r.schedule));
    this.run.onEvent?.({ kind: 'support-ensemble', members, records: training.length, reused: ready.reused, seconds: ready.seconds, threshold: spread.threshold });
    return spread;
  }

  /** Frees the members (weights, inference sessions); the spread cannot score after this. */
  async release(): Promise<void> {
    await this.made?.catch(() => null);
    await this.ensemble?.release();
    this.ensemble = null;
  }
}

/** A support-ensemble event as one line, or null for the other events. */
export function supportEventText(e: FrontEvent): string | null {
  if (e.kind === 'support-training') return `support ensemble: training ${e.members} members on ${e.records} training records (${e.why})`;
  if (e.kind === 'support-ensemble') {
    return `support ensemble: ${e.members} members ${e.reused ? 'kept' : `trained in ${e.seconds.toFixed(1)} s`}; spread threshold ${e.threshold.toFixed(3)} (the validation records' median)`;
  }
  return null;
}

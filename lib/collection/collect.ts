/**
 * `collect`: grows an experiment's schedule-FID dataset to `count` records on a scoring backend
 * (evaluation/scoring-backend.ts: the local pool of scoring workers on both cores, or a queue whose
 * workers run on any machine), appending each record as it arrives. This process is the dataset's
 * only writer, whatever scores the jobs. Rerunning continues with the ids not yet in the file; a
 * kill loses at most the records in flight.
 *
 * The workers sample on the engine the caller chose (sampling-engine.ts); with ONNX Runtime each
 * runs its sessions on one intra-op thread. Each record stores the engine tag it was sampled on,
 * and its cost is priced from that engine's latency table.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashOf, type ResolvedExperiment } from '../config/index';
import { ensureFidReference } from '../metrics/fid-reference';
import { latencyByModelIndex, nfe, readLatencyFile, scheduleCost, type SolverName } from '../schedule/index';
import { isKitError, KitError } from '../util/errors';
import { samplingIdentity } from '../evaluation/sampling-identity';
import type { OnnxExportEvent, SamplingEngine } from '../zoo/sampling-engine';
import type { QueueStatus } from '../evaluation/scoring-backend';
import { startScoring } from '../evaluation/start-scoring';
import { latencyFile, resultsDir } from '../zoo/workspace';
import { appendRecord, openDataset, setAsideSupersededDataset, type DatasetHeader, type ScheduleRecord } from './dataset-file';
import { jobFor, scheduleLength, splitOf } from './schedule-job';

/**
 * The dataset file of `solver`: schedule-fid-<solver>.jsonl for random collection, and
 * schedule-fid-<solver>.active.jsonl for active collection (lib/active/), so the two can stand side
 * by side in one results folder (their validation records are the same draws) and every later
 * stage reads the one collection.strategy names.
 */
export function datasetFile(exp: ResolvedExperiment, solver: SolverName, strategy: CollectionStrategy = exp.config.collection.strategy): string {
  return path.join(resultsDir(exp), `schedule-fid-${solver}${strategy === 'active' ? '.active' : ''}.jsonl`);
}

export type CollectionStrategy = 'random' | 'active';

/** Everything a record's FID depends on: the zoo weights, the sampler settings and the FID reference. */
export function recordKey(exp: ResolvedExperiment, solver: SolverName): string {
  return hashOf({ ...samplingIdentity(exp), solver });
}

export interface CollectProgress { done: number; total: number; record: ScheduleRecord; ratePerHour: number; etaSeconds: number }

export interface CollectOptions {
  /** the sampling engine of every worker (choose it with `chooseSamplingEngine`) */
  engine: SamplingEngine;
  /** worker processes (default collection.workers); each runs ONNX Runtime on one intra-op thread */
  workers?: number;
  /** a queue URL (resolveQueueUrl): the jobs go to its workers instead of the local pool */
  queue?: string | null;
  /** queue only: its job counts and workers, when they change */
  onQueueStatus?: (s: QueueStatus) => void;
  /**
   * A dataset made under other settings (zoo, sampler, FID) is renamed aside and a new one started
   * (the pipeline, whose stage keys already say the settings changed); without it such a file is
   * an error that says what changed (the `collect` command).
   */
  supersede?: boolean;
  onSuperseded?: (setAsideAs: string) => void;
  onReady?: (existing: number, todo: number, workers: number) => void;
  /** told about every model.onnx (re-)exported before the workers start */
  onExport?: (e: OnnxExportEvent) => void;
  /** told the engine tag once the first worker is up, and which latency table prices the records (null: none yet) */
  onEngine?: (engineTag: string, latencyTable: string | null) => void;
  onRecord?: (p: CollectProgress) => void;
}

/** An opened dataset: its file, header and the records it already holds (id order). */
export interface OpenedCollection { file: string; header: DatasetHeader; records: ScheduleRecord[] }

/**
 * Builds the FID reference (once here, so workers never race to build it), then opens the dataset
 * of `solver` under collection.strategy, creating it with its header or checking the header of the
 * one there (a superseded one renamed aside when `opts.supersede`).
 */
export async function openCollection(exp: ResolvedExperiment, solver: SolverName, opts: Pick<CollectOptions, 'supersede' | 'onSuperseded'>): Promise<OpenedCollection> {
  const c = exp.config.collection;
  const ref = await ensureFidReference(exp);
  ref.extractor.dispose();
  const file = datasetFile(exp, solver);
  const header: DatasetHeader = {
    kind: 'oms-dpm-schedule-fid-dataset',
    version: 1,
    experiment: exp.config.name,
    solver,
    length: scheduleLength(c, solver),
    numModels: exp.config.zoo.length,
    recordKey: recordKey(exp, solver),
    featureNetwork: ref.description,
    images: exp.config.fid.images,
    scheduleSeed: c.seed,
    splitSeed: c.splitSeed,
    trainRatio: c.trainRatio,
    ...(c.strategy === 'active' ? { strategy: 'active' as const } : {}),
  };
  if (opts.supersede) {
    const aside = setAsideSupersededDataset(file, header);
    if (aside) opts.onSuperseded?.(aside);
  }
  const existing = openDataset(file, header);
  return { file, header, records: existing.records };
}

/** One record to score: its id (which fixes its split), its schedule, and the active round that chose it, if any. */
export interface RecordJob { id: number; schedule: number[]; round?: number }

/**
 * The scoring backend as a collection uses it: each job's FID scored, made a record (split from
 * its id, cost priced from the engine's latency table) and appended to the dataset the moment it
 * arrives, so a kill loses only the records in flight.
 */
export interface RecordScoring {
  /** the engine tag the workers sample on */
  engine: string;
  score(job: RecordJob): Promise<ScheduleRecord>;
  close(): Promise<void>;
}

/** Starts `workers` scoring workers (or the queue) for the dataset `file` of `solver`; see RecordScoring. */
export async function startRecordScoring(exp: ResolvedExperiment, solver: SolverName, file: string, workers: number, opts: CollectOptions): Promise<RecordScoring> {
  const c = exp.config.collection;
  const pool = await startScoring(exp, { engine: opts.engine, workers, onExport: opts.onExport, queue: opts.queue, onQueueStatus: opts.onQueueStatus });
  const engine = pool.engine;
  const lf = latencyFile(exp, engine);
  const latency = fs.existsSync(lf) ? latencyByModelIndex(exp.config.zoo.map((z) => z.id), readLatencyFile(lf, exp.config.name), lf) : null;
  opts.onEngine?.(engine, latency ? lf : null);
  const score = async (job: RecordJob): Promise<ScheduleRecord> => {
    const r = await pool.score(solver, job.schedule, exp.config.fid.images).catch((e: Error) => {
      throw new KitError(`collection record ${job.id}: ${e.message}`, { hint: isKitError(e) ? e.hint : undefined });
    });
    const rec: ScheduleRecord = {
      id: job.id,
      split: splitOf(c, job.id),
      solver,
      schedule: job.schedule,
      fid: r.fid,
      costMs: latency ? scheduleCost(job.schedule, latency) : null,
      nfe: nfe(job.schedule),
      images: r.images,
      seed: c.seed,
      configHash: exp.hash,
      engine,
      seconds: r.seconds,
      ...(job.round !== undefined ? { round: job.round } : {}),
    };
    appendRecord(file, rec);
    return rec;
  };
  return { engine, score, close: async () => await pool.close() };
}

/** Counts the records scored by this run and turns each into a progress report (rate and ETA of this run's records). */
export function progressMeter(existing: number, total: number, todo: number): (rec: ScheduleRecord) => CollectProgress {
  const started = Date.now();
  let finished = 0;
  return (record) => {
    finished++;
    const rate = (finished / Math.max(1e-3, (Date.now() - started) / 1000)) * 3600;
    return { done: existing + finished, total, record, ratePerHour: rate, etaSeconds: ((todo - finished) / rate) * 3600 };
  };
}

/**
 * Random collection: grows the dataset to records 0..count-1, record `id` being the random
 * schedule and split of (collection.seed, collection.splitSeed, id) (schedule-job.ts). Active
 * collection (collection.strategy: active) is lib/active/active-collect.ts, which stands on this
 * layer; asking this function for it is a KitError rather than a random dataset under the active
 * file's name.
 */
export async function collect(exp: ResolvedExperiment, solver: SolverName, count: number, opts: CollectOptions): Promise<ScheduleRecord[]> {
  const c = exp.config.collection;
  if (c.strategy === 'active') {
    throw new KitError(`collection.strategy is 'active', but this is random collection`, {
      hint: `run active collection with oms-dpm collect --experiment ${exp.config.name} --solver ${solver} --strategy active (lib/active/active-collect.ts), or set collection.strategy=random`,
    });
  }
  const numModels = exp.config.zoo.length;
  const { file, records: existing } = await openCollection(exp, solver, opts);
  const have = new Set(existing.map((r) => r.id));
  const todo: number[] = [];
  for (let id = 0; id < count; id++) if (!have.has(id)) todo.push(id);
  const nWorkers = Math.max(1, Math.min(opts.workers ?? c.workers, todo.length));
  opts.onReady?.(existing.length, todo.length, todo.length ? nWorkers : 0);
  if (todo.length === 0) return existing;

  const scoring = await startRecordScoring(exp, solver, file, nWorkers, opts);
  try {
    const records = [...existing];
    const progress = progressMeter(existing.length, count, todo.length);
    // every job is queued at once; the backend hands them out as workers free up, and each record is
    // appended the moment its FID arrives (in whatever order), so a kill loses only those in flight
    await Promise.all(
      todo.map(async (id) => {
        const rec = await scoring.score(jobFor(c, solver, numModels, exp.config.diffusion.timesteps, id));
        records.push(rec);
        opts.onRecord?.(progress(rec));
      }),
    );
    return records.sort((a, b) => a.id - b.id);
  } finally {
    await scoring.close();
  }
}

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

export function datasetFile(exp: ResolvedExperiment, solver: SolverName): string {
  return path.join(resultsDir(exp), `schedule-fid-${solver}.jsonl`);
}

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

export async function collect(exp: ResolvedExperiment, solver: SolverName, count: number, opts: CollectOptions): Promise<ScheduleRecord[]> {
  const c = exp.config.collection;
  const numModels = exp.config.zoo.length;
  const ref = await ensureFidReference(exp); // once here, so workers never race to build it
  ref.extractor.dispose();
  const file = datasetFile(exp, solver);
  const header: DatasetHeader = {
    kind: 'oms-dpm-schedule-fid-dataset',
    version: 1,
    experiment: exp.config.name,
    solver,
    length: scheduleLength(c, solver),
    numModels,
    recordKey: recordKey(exp, solver),
    featureNetwork: ref.description,
    images: exp.config.fid.images,
    scheduleSeed: c.seed,
    splitSeed: c.splitSeed,
    trainRatio: c.trainRatio,
  };
  if (opts.supersede) {
    const aside = setAsideSupersededDataset(file, header);
    if (aside) opts.onSuperseded?.(aside);
  }
  const existing = openDataset(file, header);
  const have = new Set(existing.records.map((r) => r.id));
  const todo: number[] = [];
  for (let id = 0; id < count; id++) if (!have.has(id)) todo.push(id);
  const nWorkers = Math.max(1, Math.min(opts.workers ?? c.workers, todo.length));
  opts.onReady?.(existing.records.length, todo.length, todo.length ? nWorkers : 0);
  if (todo.length === 0) return existing.records;

  const pool = await startScoring(exp, { engine: opts.engine, workers: nWorkers, onExport: opts.onExport, queue: opts.queue, onQueueStatus: opts.onQueueStatus });
  try {
    const engine = pool.engine;
    const lf = latencyFile(exp, engine);
    const latency = fs.existsSync(lf) ? latencyByModelIndex(exp.config.zoo.map((z) => z.id), readLatencyFile(lf, exp.config.name), lf) : null;
    opts.onEngine?.(engine, latency ? lf : null);
    const records = [...existing.records];
    const started = Date.now();
    let finished = 0;
    // every job is queued at once; the backend hands them out as workers free up, and each record is
    // appended the moment its FID arrives (in whatever order), so a kill loses only those in flight
    await Promise.all(
      todo.map(async (id) => {
        const job = jobFor(c, solver, numModels, exp.config.diffusion.timesteps, id);
        const r = await pool.score(solver, job.schedule, exp.config.fid.images).catch((e: Error) => {
          throw new KitError(`collection record ${id}: ${e.message}`, { hint: isKitError(e) ? e.hint : undefined });
        });
        const rec: ScheduleRecord = {
          id,
          split: splitOf(c, id),
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
        };
        appendRecord(file, rec);
        records.push(rec);
        finished++;
        const rate = (finished / Math.max(1e-3, (Date.now() - started) / 1000)) * 3600;
        opts.onRecord?.({ done: existing.records.length + finished, total: count, record: rec, ratePerHour: rate, etaSeconds: ((todo.length - finished) / rate) * 3600 });
      }),
    );
    return records.sort((a, b) => a.id - b.id);
  } finally {
    await pool.close();
  }
}

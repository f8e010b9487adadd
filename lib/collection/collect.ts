/**
 * `collect`: grows an experiment's schedule-FID dataset to `count` records with worker processes
 * (both cores), appending each record as it arrives. Rerunning continues with the ids not yet in
 * the file; a kill loses at most the records in flight.
 *
 * The workers sample on the engine the caller chose (sampling-engine.ts). With ONNX Runtime each
 * worker runs its sessions on one intra-op thread and the cores go to workers (`recommendOrtSplit`:
 * independent schedules scale better over processes than over threads); model.onnx files are
 * checked and (re-)exported here, once, before any worker loads them. Each record stores the
 * engine tag it was sampled on, and its cost is priced from that engine's latency table.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashOf, type ResolvedExperiment } from '../config/index';
import { ensureFidReference } from '../metrics/fid-reference';
import { latencyByModelIndex, nfe, readLatencyFile, scheduleCost, type SolverName } from '../schedule/index';
import { KitError } from '../util/errors';
import { samplingIdentity } from '../evaluation/sampling-identity';
import { ensureZooOnnxExports, type OnnxExportEvent, type SamplingEngine } from '../zoo/sampling-engine';
import { latencyFile, resultsDir } from '../zoo/workspace';
import { appendRecord, openDataset, type DatasetHeader, type ScheduleRecord } from './dataset-file';
import { jobFor, scheduleLength, splitOf } from './schedule-job';
import type { WorkerReply, WorkerRequest } from './collect-worker';

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
  /** experiment name or YAML path and the options it was loaded with, for the workers */
  source: { experiment: string; profile: string; set: string[] };
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
  const existing = openDataset(file, header);
  const have = new Set(existing.records.map((r) => r.id));
  const todo: number[] = [];
  for (let id = 0; id < count; id++) if (!have.has(id)) todo.push(id);
  const nWorkers = Math.max(1, Math.min(opts.workers ?? c.workers, todo.length));
  opts.onReady?.(existing.records.length, todo.length, todo.length ? nWorkers : 0);
  if (todo.length === 0) return existing.records;
  if (opts.engine === 'onnx') for (const e of ensureZooOnnxExports(exp)) opts.onExport?.(e);

  const records = [...existing.records];
  const started = Date.now();
  let finished = 0;
  let next = 0;
  const workerScript = path.join(__dirname, 'collect-worker.ts');
  const children: ChildProcess[] = [];
  let latency: number[] | null = null;
  let engine = '';

  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      let active = 0;
      const fail = (e: Error) => {
        if (!failed) {
          failed = true;
          reject(e);
        }
      };
      const dispatch = (child: ChildProcess) => {
        if (failed) return;
        if (next >= todo.length) {
          child.send({ type: 'stop' } satisfies WorkerRequest);
          if (--active === 0) resolve();
          return;
        }
        const id = todo[next++];
        child.send({ type: 'job', job: jobFor(c, solver, numModels, exp.config.diffusion.timesteps, id) } satisfies WorkerRequest);
      };
      for (let w = 0; w < nWorkers; w++) {
        const child = fork(workerScript, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        active++;
        child.on('exit', (code) => {
          if (code !== 0 && !failed && next < todo.length) fail(new Error(`collection worker exited with code ${code}`));
        });
        child.on('message', (m: WorkerReply) => {
          if (m.type === 'ready') {
            if (!latency) {
              engine = m.engine;
              const lf = latencyFile(exp, engine);
              latency = fs.existsSync(lf) ? latencyByModelIndex(exp.config.zoo.map((z) => z.id), readLatencyFile(lf, exp.config.name), lf) : [];
              opts.onEngine?.(engine, latency.length ? lf : null);
            } else if (m.engine !== engine) {
              fail(new KitError(`collection workers sample on different engines (${engine} and ${m.engine})`, { hint: 'set OMS_DPM_BACKEND / --engine so every worker makes the same choice' }));
              return;
            }
            dispatch(child);
          } else if (m.type === 'error') {
            fail(new KitError(`collection worker failed${m.id === null ? ' to start' : ` on record ${m.id}`}: ${m.message}`));
          } else {
            const job = jobFor(c, solver, numModels, exp.config.diffusion.timesteps, m.id);
            const rec: ScheduleRecord = {
              id: m.id,
              split: splitOf(c, m.id),
              solver,
              schedule: job.schedule,
              fid: m.fid,
              costMs: latency && latency.length ? scheduleCost(job.schedule, latency) : null,
              nfe: nfe(job.schedule),
              images: m.images,
              seed: c.seed,
              configHash: exp.hash,
              engine,
              seconds: m.seconds,
            };
            appendRecord(file, rec);
            records.push(rec);
            finished++;
            const rate = (finished / Math.max(1e-3, (Date.now() - started) / 1000)) * 3600;
            opts.onRecord?.({ done: existing.records.length + finished, total: count, record: rec, ratePerHour: rate, etaSeconds: ((todo.length - finished) / rate) * 3600 });
            dispatch(child);
          }
        });
        child.send({ type: 'init', ...opts.source, engine: opts.engine, threads: 1 } satisfies WorkerRequest);
      }
    });
  } finally {
    for (const ch of children) if (ch.exitCode === null) ch.kill();
  }
  return records.sort((a, b) => a.id - b.id);
}

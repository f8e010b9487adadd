/**
 * A pool of scoring worker processes (scoring-worker.ts): "schedule in, real FID out" on every
 * core. The collection and the front both score many independent schedules; on the kit's 2-core
 * machine two single-threaded ONNX Runtime workers score about twice as fast as one process with
 * two intra-op threads, because the small UNets' nodes are too small to split well over threads
 * (recommendOrtSplit, bench).
 *
 * What every worker loads is made once here before any worker starts, so workers never race to
 * write it: the model.onnx exports (ONNX Runtime) and the FID reference statistics. `score` queues a
 * job and resolves with its result; jobs go to whichever worker is free, so results arrive in any
 * order. A worker that fails to start, or dies, fails the pool: every job not yet answered is
 * rejected with the reason. An error inside one job rejects only that job.
 */
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { experimentSource, type ResolvedExperiment } from '../config/index';
import { ensureFidReference } from '../metrics/fid-reference';
import { decodeMeasures } from '../metrics/image-measures';
import type { SolverName } from '../schedule/index';
import { KitError } from '../util/errors';
import { forkTs } from '../util/fork-ts';
import { ensureZooOnnxExports, type OnnxExportEvent, type SamplingEngine } from '../zoo/sampling-engine';
import type { PoolMeasures, PoolScore, ScoringBackend } from './scoring-backend';
import type { WorkerReply, WorkerRequest } from './scoring-worker';

export type { PoolMeasures, PoolScore } from './scoring-backend';

export interface ScoringPoolOptions {
  /** the sampling engine of every worker (choose it with `chooseSamplingEngine`) */
  engine: SamplingEngine;
  workers: number;
  /** intra-op threads per worker (ONNX Runtime); default 1 */
  threads?: number;
  /** told about every model.onnx (re-)exported before the workers start */
  onExport?: (e: OnnxExportEvent) => void;
}

/** A queued job: what the worker is sent, and how its answer settles the caller's promise. */
interface Job {
  request: Extract<WorkerRequest, { type: 'job' | 'measure' }>;
  /** settles with the worker's answer; false when the answer is of the wrong kind */
  settle: (m: WorkerReply) => boolean;
  reject: (e: Error) => void;
}

/** The local implementation of `ScoringBackend` (scoring-backend.ts); the queue is the other one. */
export class ScoringPool implements ScoringBackend {
  private readonly queue: Job[] = [];
  private readonly running = new Map<ChildProcess, Job>();
  private readonly idle: ChildProcess[] = [];
  private failure: Error | null = null;
  private closed = false;

  /** the engine tag the workers sample on (e.g. onnxruntime-cpu) */
  engine = '';

  private constructor(private readonly children: ChildProcess[]) {}

  get workers(): number {
    return this.children.length;
  }

  /** Why the pool stopped working (a worker died), or null while it works. */
  get broken(): Error | null {
    return this.failure;
  }

  /** Prepares the shared files, forks the workers and waits until every one has loaded the zoo. */
  static async start(exp: ResolvedExperiment, o: ScoringPoolOptions): Promise<ScoringPool> {
    if (o.workers < 1) throw new KitError(`a scoring pool needs at least 1 worker, not ${o.workers}`);
    const ref = await ensureFidReference(exp);
    ref.extractor.dispose();
    if (o.engine === 'onnx') for (const e of ensureZooOnnxExports(exp)) o.onExport?.(e);

    const script = path.join(__dirname, 'scoring-worker.ts');
    const children = Array.from({ length: o.workers }, () => forkTs(script));
    const pool = new ScoringPool(children);
    try {
      const engines = await Promise.all(children.map((child) => pool.attach(child, exp, o)));
      if (new Set(engines).size > 1) {
        throw new KitError(`scoring workers sample on different engines (${[...new Set(engines)].join(' and ')})`, {
          hint: 'set OMS_DPM_BACKEND / --engine so every worker makes the same choice',
        });
      }
      pool.engine = engines[0];
    } catch (e) {
      pool.close();
      throw e;
    }
    return pool;
  }

  /** Real FID of `schedule` on the first `images` images of the noise bank, on a free worker. */
  score(solver: SolverName, schedule: readonly number[], images: number): Promise<PoolScore> {
    return this.submit<PoolScore>({ type: 'job', solver, schedule: [...schedule], images }, (m) =>
      m.type === 'result' ? { fid: m.fid, nfe: m.nfe, images: m.images, seconds: m.seconds } : null,
    );
  }

  /** The measures of noise-bank images [start, start + count) sampled with `schedule`, on a free worker. */
  measure(solver: SolverName, schedule: readonly number[], start: number, count: number): Promise<PoolMeasures> {
    return this.submit<PoolMeasures>({ type: 'measure', solver, schedule: [...schedule], start, count }, (m) =>
      m.type === 'measures' ? { measures: decodeMeasures(m.measures), seconds: m.seconds } : null,
    );
  }

  private submit<T>(request: Job['request'], read: (m: WorkerReply) => T | null): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new KitError('the scoring pool is closed'));
    return new Promise<T>((resolve, reject) => {
      const settle = (m: WorkerReply) => {
        const v = read(m);
        if (v === null) return false;
        resolve(v);
        return true;
      };
      this.queue.push({ request, settle, reject });
      this.dispatch();
    });
  }

  /** Stops the workers; jobs not yet answered are rejected. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new KitError('the scoring pool was closed with jobs still queued'));
    for (const child of this.children) {
      if (child.exitCode !== null || !child.connected) continue;
      child.send({ type: 'stop' } satisfies WorkerRequest);
    }
    // a worker busy in a long sampling call does not read 'stop' until it finishes
    for (const child of this.children) if (child.exitCode === null) child.kill();
  }

  /** Wires one child's messages; resolves with its engine tag once it is ready. */
  private attach(child: ChildProcess, exp: ResolvedExperiment, o: ScoringPoolOptions): Promise<string> {
    return new Promise<string>((resolveReady, rejectReady) => {
      let ready = false;
      child.on('error', (err) => {
        const e = new KitError(`a scoring worker could not be reached: ${err.message}`);
        if (!ready) rejectReady(e);
        else if (!this.closed) this.fail(e);
      });
      child.on('exit', (code) => {
        const e = new KitError(`a scoring worker exited with code ${code}${ready ? ' while scoring' : ' before it was ready'}`);
        if (!ready) rejectReady(e);
        else if (!this.closed) this.fail(e);
      });
      child.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') {
          ready = true;
          this.idle.push(child);
          resolveReady(m.engine);
          this.dispatch();
          return;
        }
        if (m.type === 'error' && m.during === 'start') {
          rejectReady(new KitError(`a scoring worker failed to start: ${m.message}`));
          return;
        }
        const job = this.running.get(child);
        this.running.delete(child);
        this.idle.push(child);
        if (job && m.type === 'error') job.reject(new KitError(`scoring a ${job.request.solver} schedule failed: ${m.message}`, { hint: `schedule ${job.request.schedule.join(',')}` }));
        else if (job && !job.settle(m)) job.reject(new KitError(`a scoring worker answered a '${job.request.type}' job with '${m.type}'`));
        this.dispatch();
      });
      child.send({ type: 'init', source: experimentSource(exp), engine: o.engine, threads: o.threads ?? 1 } satisfies WorkerRequest);
    });
  }

  private dispatch(): void {
    while (!this.failure && !this.closed && this.queue.length > 0 && this.idle.length > 0) {
      const child = this.idle.shift()!;
      const job = this.queue.shift()!;
      this.running.set(child, job);
      child.send(job.request satisfies WorkerRequest);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.failAll(e);
  }

  private failAll(e: Error): void {
    for (const job of [...this.running.values(), ...this.queue.splice(0)]) job.reject(e);
    this.running.clear();
  }
}

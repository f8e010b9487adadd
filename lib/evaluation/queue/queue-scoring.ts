/**
 * The submitting side of the scoring queue: a `ScoringBackend` (scoring-backend.ts) whose jobs go to
 * a BullMQ queue on Redis, where `oms-dpm worker` processes (queue-worker.ts) on any machine take
 * them. Results come back through the queue's event stream, in any order; the caller alone writes
 * them (the dataset has one writer).
 *
 *  - Job ids are hashes of the job's content (queue-jobs.ts): a job submitted twice, by this run or
 *    another, is one job. A job already completed in Redis answers at once from its stored result
 *    (a rerun after a crash takes what the workers finished meanwhile); one left failed by an
 *    earlier run is retried.
 *  - A worker killed mid-job stops renewing its lock; BullMQ's stalled-job check (run by the other
 *    workers) puts the job back in the queue and another worker scores it. Completion is recorded
 *    once, so nothing is lost or doubled.
 *  - Redis unreachable at start: a KitError naming the URL and how to start Redis (checkRedis).
 *    Redis lost mid-run (no answer to a ping for `lostAfterMs`): every job still waiting is rejected
 *    with one clear message; what the caller wrote so far stays, and a rerun resumes from it.
 */
import IORedis from 'ioredis';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { ResolvedExperiment } from '../../config/index';
import { initBackend } from '../../tfjs/backend';
import { ensureFidReference } from '../../metrics/fid-reference';
import { decodeMeasures } from '../../metrics/image-measures';
import type { SolverName } from '../../schedule/index';
import { KitError } from '../../util/errors';
import { ensureZooOnnxExports, type OnnxExportEvent, type SamplingEngine } from '../../zoo/sampling-engine';
import { engineTag } from '../../zoo/workspace';
import { shownQueueUrl, type PoolMeasures, type PoolScore, type QueueStatus, type ScoringBackend } from '../scoring-backend';
import { checkJobResult, jobIdOf, queueName, scoringIdentity, type QueueJobData, type QueueJobResult, type ScoringIdentity } from './queue-jobs';
import { checkRedis, redisOptions, startRedisHint } from './redis-connection';

/** How long the submitter keeps finished jobs in Redis: a rerun within this time takes their results. */
export const KEEP_COMPLETED_SECONDS = 7 * 24 * 3600;
export const KEEP_FAILED_SECONDS = 24 * 3600;
/** Attempts of a job that fails with an error (a refusal fails at once). */
export const JOB_ATTEMPTS = 2;

export interface QueueScoringOptions {
  engine: SamplingEngine;
  url: string;
  onExport?: (e: OnnxExportEvent) => void;
  onStatus?: (s: QueueStatus) => void;
  /** how often the workers are listed and Redis pinged (ms; default 2000) */
  pollMs?: number;
  /** Redis is lost when no ping has been answered for this long (ms; default 10000) */
  lostAfterMs?: number;
}

interface Pending {
  kind: QueueJobData['kind'];
  promise: Promise<QueueJobResult>;
  resolve: (r: QueueJobResult) => void;
  reject: (e: Error) => void;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]).finally(() => clearTimeout(timer));
}

export class QueueScoring implements ScoringBackend {
  private readonly pending = new Map<string, Pending>();
  private done = 0;
  private failed = 0;
  private stalled = 0;
  private readonly seen = new Set<string>();
  private workersNow = 0;
  private failure: Error | null = null;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private lastPong = Date.now();
  private lastStatus = '';
  private polling = false;

  private constructor(
    readonly engine: string,
    /** the queue URL as printed (no password) */
    readonly url: string,
    readonly name: string,
    private readonly identity: ScoringIdentity,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly watch: IORedis,
    private readonly o: QueueScoringOptions,
  ) {}

  /** Checks Redis, prepares the shared files, and listens to the queue's events from now on. */
  static async start(exp: ResolvedExperiment, o: QueueScoringOptions): Promise<QueueScoring> {
    await checkRedis(o.url);
    // workers on this machine share these files: made once here, as the local pool does
    const ref = await ensureFidReference(exp);
    ref.extractor.dispose();
    if (o.engine === 'onnx') for (const e of ensureZooOnnxExports(exp)) o.onExport?.(e);
    const info = await initBackend();
    const identity = scoringIdentity(exp, engineTag(o.engine, info.backend), ref.description);

    const base = redisOptions(o.url);
    const name = queueName(exp);
    const watch = new IORedis({ ...base, lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, commandTimeout: 2000, retryStrategy: (n) => Math.min(200 * n, 1000) });
    watch.on('error', () => undefined); // a lost Redis is noticed by the pings
    const queue = new Queue(name, { connection: { ...base, retryStrategy: (n: number) => Math.min(200 * n, 2000) } });
    queue.on('error', () => undefined);
    let events: QueueEvents | null = null;
    try {
      await watch.connect();
      await queue.waitUntilReady();
      // events from the stream's current end on: an old run's "failed" for a job resubmitted now is not this run's
      const last = (await watch.xrevrange(queue.keys.events, '+', '-', 'COUNT', 1)) as [string, string[]][];
      events = new QueueEvents(name, { connection: { ...base, retryStrategy: (n: number) => Math.min(200 * n, 2000) }, lastEventId: last.length ? last[0][0] : '0-0' });
      events.on('error', () => undefined);
      await events.waitUntilReady();
    } catch (e) {
      watch.disconnect();
      await withTimeout(Promise.allSettled([queue.close(), events?.close()]), 2000);
      throw new KitError(`the scoring queue ${name} at ${shownQueueUrl(o.url)} could not be opened: ${(e as Error).message}`, { hint: startRedisHint(o.url) });
    }
    const q = new QueueScoring(identity.engine, shownQueueUrl(o.url), name, identity, queue, events, watch, o);
    q.listen();
    q.timer = setInterval(() => void q.poll(), o.pollMs ?? 2000);
    await q.poll();
    return q;
  }

  /** Real FID of `schedule` on noise-bank images 0..images-1, by whichever worker takes the job. */
  async score(solver: SolverName, schedule: readonly number[], images: number): Promise<PoolScore> {
    const r = await this.submit({ kind: 'score', solver, schedule: [...schedule], images, identity: this.identity });
    if (r.kind !== 'score') throw new KitError(`the queue answered a score job with a '${r.kind}' result`);
    return { fid: r.fid, nfe: r.nfe, images: r.images, seconds: r.seconds };
  }

  /** The measures of noise-bank images [start, start + count) sampled with `schedule`. */
  async measure(solver: SolverName, schedule: readonly number[], start: number, count: number): Promise<PoolMeasures> {
    const r = await this.submit({ kind: 'measure', solver, schedule: [...schedule], start, count, identity: this.identity });
    if (r.kind !== 'measure') throw new KitError(`the queue answered a measure job with a '${r.kind}' result`);
    return { measures: decodeMeasures(r.measures), seconds: r.seconds };
  }

  /** The job counts as the progress line shows them. */
  status(): QueueStatus {
    return { url: this.url, queue: this.name, done: this.done, inFlight: this.pending.size, failed: this.failed, stalled: this.stalled, workersSeen: this.seen.size, workersNow: this.workersNow };
  }

  /** Stops listening; jobs not yet answered are rejected (they stay in the queue for a rerun). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.rejectAll(new KitError('the scoring queue was closed with jobs still in flight'));
    this.watch.disconnect();
    // with Redis gone, BullMQ's close (and even its disconnect) can wait forever: never hang on them
    const closing = Promise.allSettled([this.events.close(), this.queue.close()]);
    if ((await withTimeout(closing, this.failure ? 1000 : 5000)) === undefined) {
      await withTimeout(Promise.allSettled([this.events.disconnect(), this.queue.disconnect()]), 1000);
    }
  }

  private submit(data: QueueJobData): Promise<QueueJobResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new KitError('the scoring queue is closed'));
    const id = jobIdOf(data);
    const already = this.pending.get(id);
    if (already) return already.promise; // the same job asked for twice: one job, one answer
    let resolve!: (r: QueueJobResult) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<QueueJobResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.pending.set(id, { kind: data.kind, promise, resolve, reject });
    this.report();
    this.enqueue(id, data).catch((e: Error) => this.settle(id, e));
    return promise;
  }

  /**
   * Puts the job in the queue unless it is there: a completed one answers from its stored result,
   * a failed one (left by an earlier run) is retried, a waiting or active one is waited for.
   */
  private async enqueue(id: string, data: QueueJobData): Promise<void> {
    const job = (await this.queue.getJob(id)) as Job | undefined;
    if (job) {
      const state = await job.getState();
      if (state === 'completed') return this.settle(id, job.returnvalue);
      if (state === 'failed') {
        try {
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        } catch (e) {
          // another submitter retried it first: wait for it like any queued job
          if ((await job.getState()) === 'failed') throw e;
        }
        return;
      }
      if (state !== 'unknown') return; // waiting, active, delayed, prioritized: its events will come
    }
    await this.queue.add(data.kind, data, {
      jobId: id,
      attempts: JOB_ATTEMPTS,
      removeOnComplete: { age: KEEP_COMPLETED_SECONDS },
      removeOnFail: { age: KEEP_FAILED_SECONDS },
    });
  }

  private listen(): void {
    this.events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, returnvalue));
    this.events.on('failed', ({ jobId, failedReason }) => {
      if (!this.pending.has(jobId)) return;
      this.failed++;
      this.settle(jobId, new KitError(`a queue worker failed the job: ${failedReason}`, { hint: /refused/.test(failedReason) ? 'start workers with the same experiment, zoo and engine as this run (see the reason), then rerun: the records already written are kept' : 'see the worker\'s output; rerun to retry the job' }));
    });
    this.events.on('stalled', ({ jobId }) => {
      if (!this.pending.has(jobId)) return;
      this.stalled++;
      this.report();
    });
  }

  /** Answers the caller waiting for job `id` (once), with its result or an error. */
  private settle(id: string, outcome: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (outcome instanceof Error) p.reject(outcome);
    else {
      try {
        const r = checkJobResult(p.kind, outcome);
        if (r.worker) this.seen.add(r.worker);
        this.done++;
        p.resolve(r);
      } catch (e) {
        p.reject(new KitError((e as Error).message));
      }
    }
    this.report();
  }

  /** Pings Redis (a lost server fails the run) and lists the workers connected now. */
  private async poll(): Promise<void> {
    if (this.closed || this.failure || this.polling) return;
    this.polling = true;
    try {
      await this.pollOnce();
    } finally {
      this.polling = false;
    }
  }

  private async pollOnce(): Promise<void> {
    try {
      await this.watch.ping();
      this.lastPong = Date.now();
      const workers = await withTimeout(this.queue.getWorkers(), 2000);
      if (workers) {
        // each worker's blocking connection is named <prefix>:<queue>:w:<worker name>
        const names = new Set(workers.map((w) => String(w.rawname ?? '')).filter((n) => n.includes(':w:')).map((n) => n.slice(n.indexOf(':w:') + 3)));
        for (const n of names) this.seen.add(n);
        this.workersNow = names.size;
      }
    } catch {
      // no answer: checked below
    }
    if (this.closed) return;
    const silent = Date.now() - this.lastPong;
    if (silent > (this.o.lostAfterMs ?? 10000)) {
      this.failure = new KitError(`lost the connection to Redis at ${this.url} (no answer for ${Math.round(silent / 1000)} s) with ${this.pending.size} scoring job(s) in flight`, {
        hint: 'restart Redis (and the workers), then rerun the same command: the results already written are kept and the run resumes from them',
      });
      this.rejectAll(this.failure);
      return;
    }
    this.report(true);
  }

  private rejectAll(e: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }

  private report(always = false): void {
    const s = this.status();
    const text = JSON.stringify(s);
    if (!always && text === this.lastStatus) return;
    this.lastStatus = text;
    this.o.onStatus?.(s);
  }
}

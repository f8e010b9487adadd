/**
 * The working side of the scoring queue (`oms-dpm worker`): takes jobs from the experiment's BullMQ
 * queue and scores them on a local scoring pool (scoring-pool.ts: `concurrency` worker processes,
 * each loading the zoo once), so this process only talks to Redis and keeps renewing its job locks
 * while the pool samples.
 *
 *  - A job made under another identity (config hash, zoo weight hashes, FID reference, engine) is
 *    refused: it fails at once with the reason (never a FID from another zoo), and the submitter
 *    stops with that reason.
 *  - Workers never write results: only the submitter does.
 *  - stop('finish') takes no new job and finishes the ones in hand; stop('release') puts the jobs
 *    in hand back in the queue at once for another worker. A worker killed outright loses its
 *    locks, and BullMQ's stalled-job check (every `stalledCheckMs`, run by the other workers)
 *    hands its jobs on after at most `lockMs`.
 */
import * as os from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { ResolvedExperiment } from '../../config/index';
import { ensureFidReference } from '../../metrics/fid-reference';
import { encodeMeasures } from '../../metrics/image-measures';
import { nfe } from '../../schedule/index';
import type { OnnxExportEvent, SamplingEngine } from '../../zoo/sampling-engine';
import { ScoringPool } from '../scoring-pool';
import { checkJobData, queueName, refusalReason, scoringIdentity, type QueueJobData, type QueueJobResult, type ScoringIdentity } from './queue-jobs';
import { checkRedis, redisOptions } from './redis-connection';

/** Lock of a job (ms), renewed every half: a worker that stops renewing loses its job after this. */
export const WORKER_LOCK_MS = 10_000;
/** How often workers look for jobs whose lock expired (ms). */
export const STALLED_CHECK_MS = 5_000;
/** A job handed on more often than this (it kills every worker that takes it) fails. */
export const MAX_STALLED = 2;

export interface QueueWorkerOptions {
  engine: SamplingEngine;
  url: string;
  /** jobs scored at once: scoring processes of the local pool */
  concurrency: number;
  /** ONNX Runtime intra-op threads per scoring process (default 1) */
  threads?: number;
  onExport?: (e: OnnxExportEvent) => void;
  log: (line: string) => void;
  lockMs?: number;
  stalledCheckMs?: number;
}

export interface QueueWorkerSummary { scored: number; refused: number; failed: number; released: number; reason: string }

export interface QueueWorker {
  /** how the submitter and `getWorkers` see it: <host>-<pid> */
  name: string;
  queue: string;
  identity: ScoringIdentity;
  /** the scoring processes */
  processes: number;
  /** 'finish': no new job, finish those in hand; 'release': put those in hand back in the queue now */
  stop(mode: 'finish' | 'release', reason: string): Promise<void>;
  /** settles when the worker has stopped (stop, or its scoring pool broke) */
  stopped: Promise<QueueWorkerSummary>;
}

const RELEASE = Symbol('release');

/** `p`, or undefined after `ms` */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]).finally(() => clearTimeout(timer));
}
const shortId = (id: string | undefined) => (id ?? '?').replace(/^(score|measure)-/, '$1 ').slice(0, 20);

function describeJob(d: QueueJobData): string {
  const range = d.kind === 'score' ? `images 0..${d.images - 1}` : `images ${d.start}..${d.start + d.count - 1}`;
  return `${d.solver} schedule of length ${d.schedule.length}, NFE ${nfe(d.schedule)}, ${range}`;
}

/** The local scoring pool (loading the zoo) and the identity a job must carry to be scored on it. */
async function startPool(exp: ResolvedExperiment, o: QueueWorkerOptions): Promise<{ pool: ScoringPool; identity: ScoringIdentity }> {
  const pool = await ScoringPool.start(exp, { engine: o.engine, workers: o.concurrency, threads: o.threads ?? 1, onExport: o.onExport });
  try {
    const ref = await ensureFidReference(exp); // made by the pool's start: read here for its identity
    ref.extractor.dispose();
    return { pool, identity: scoringIdentity(exp, pool.engine, ref.description) };
  } catch (e) {
    pool.close();
    throw e;
  }
}

type Counts = Omit<QueueWorkerSummary, 'reason'>;

interface ProcessorState {
  name: string;
  identity: ScoringIdentity;
  pool: ScoringPool;
  counts: Counts;
  /** settles with RELEASE when stop('release') is asked for */
  releasing: Promise<typeof RELEASE>;
  log: (line: string) => void;
  /** the pool broke while scoring: release the jobs in hand and stop */
  onBroken: (reason: string) => void;
}

/** The job's work on the pool, as the result the submitter reads. */
function jobWork(s: ProcessorState, d: QueueJobData): Promise<QueueJobResult> {
  const { pool, name } = s;
  return d.kind === 'score'
    ? pool.score(d.solver, d.schedule, d.images).then((r) => ({ kind: 'score', fid: r.fid, nfe: r.nfe, images: r.images, seconds: r.seconds, engine: pool.engine, worker: name }))
    : pool.measure(d.solver, d.schedule, d.start, d.count).then((r) => ({ kind: 'measure', measures: encodeMeasures(r.measures), seconds: r.seconds, engine: pool.engine, worker: name }));
}

/**
 * BullMQ's processor: a malformed job or one made under another identity fails at once (never
 * retried); the others are scored on the pool, unless a release is asked for first, which puts the
 * job back in the queue for another worker.
 */
function jobProcessor(s: ProcessorState): (job: Job, token?: string) => Promise<QueueJobResult> {
  const { counts, log, name } = s;
  return async (job, token) => {
    const d = job.data as QueueJobData;
    const bad = checkJobData(d);
    if (bad) {
      counts.failed++;
      log(`failed ${shortId(job.id)}: malformed job (${bad})`);
      throw new UnrecoverableError(`worker ${name}: malformed job: ${bad}`);
    }
    const why = refusalReason(d.identity, s.identity);
    if (why) {
      counts.refused++;
      log(`refused ${shortId(job.id)}: ${why}`);
      throw new UnrecoverableError(`refused by worker ${name}: ${why}`);
    }
    log(`started ${shortId(job.id)}: ${describeJob(d)}`);
    const work = jobWork(s, d);
    work.catch(() => undefined); // settled below, or dropped when the job is released
    let outcome: QueueJobResult | typeof RELEASE;
    try {
      outcome = await Promise.race([work, s.releasing]);
    } catch (e) {
      counts.failed++;
      log(`failed ${shortId(job.id)}: ${(e as Error).message}`);
      if (s.pool.broken) s.onBroken(`its scoring pool stopped working (${s.pool.broken.message})`);
      throw e;
    }
    if (outcome === RELEASE) {
      // with Redis gone this cannot succeed: the lock then runs out and the stalled check hands the job on
      const moved = await withTimeout(job.moveToWait(token).then(() => true, () => false), 3000);
      counts.released++;
      log(moved ? `released ${shortId(job.id)} back to the queue` : `could not release ${shortId(job.id)} (Redis does not answer): its lock runs out and another worker takes it`);
      throw new WaitingError();
    }
    counts.scored++;
    log(`done ${shortId(job.id)}: ${outcome.kind === 'score' ? `FID ${outcome.fid.toFixed(4)}` : `${outcome.measures.count} images measured`} (${outcome.seconds.toFixed(1)} s)`);
    return outcome;
  };
}

/**
 * The worker's stop: 'finish' waits for the jobs in hand, until a release is asked for; a release
 * waits a few seconds at most (with Redis gone, BullMQ's close never returns), then the connections
 * are cut. Either way the pool is closed and `done` is called once, with the first reason.
 */
function workerStopper(
  worker: Worker,
  pool: ScoringPool,
  release: { now: () => void; releasing: Promise<typeof RELEASE> },
  done: (reason: string) => void,
): (mode: 'finish' | 'release', reason: string) => Promise<void> {
  let stopping: Promise<void> | null = null;
  return (mode, reason) => {
    if (mode === 'release') release.now();
    if (stopping) return stopping;
    stopping = (async () => {
      try {
        const closing = worker.close().catch(() => undefined);
        await Promise.race([closing, release.releasing]);
        if ((await withTimeout(closing, 5000)) === undefined) await withTimeout(worker.disconnect().catch(() => undefined), 1000);
      } finally {
        pool.close();
        done(reason);
      }
    })();
    return stopping;
  };
}

export async function startQueueWorker(exp: ResolvedExperiment, o: QueueWorkerOptions): Promise<QueueWorker> {
  await checkRedis(o.url);
  const { pool, identity } = await startPool(exp, o);
  const name = `${os.hostname()}-${process.pid}`;
  const queue = queueName(exp);
  const counts: Counts = { scored: 0, refused: 0, failed: 0, released: 0 };

  let releaseNow!: () => void;
  const releasing = new Promise<typeof RELEASE>((r) => (releaseNow = () => r(RELEASE)));
  const processor = jobProcessor({ name, identity, pool, counts, releasing, log: o.log, onBroken: (reason) => void stop('release', reason) });

  const worker = new Worker(queue, processor, {
    connection: redisOptions(o.url) as ConnectionOptions,
    name,
    concurrency: o.concurrency,
    lockDuration: o.lockMs ?? WORKER_LOCK_MS,
    stalledInterval: o.stalledCheckMs ?? STALLED_CHECK_MS,
    maxStalledCount: MAX_STALLED,
    autorun: false,
  });
  let lastError = 0;
  worker.on('error', (e) => {
    // a lost Redis: BullMQ reconnects on its own; say so at most every 10 s
    if (Date.now() - lastError > 10_000) o.log(`queue connection: ${e.message} (retrying)`);
    lastError = Date.now();
  });

  let finish!: (s: QueueWorkerSummary) => void;
  const stopped = new Promise<QueueWorkerSummary>((r) => (finish = r));
  const stop = workerStopper(worker, pool, { now: () => releaseNow(), releasing }, (reason) => finish({ ...counts, reason }));

  void worker.run().catch((e: Error) => void stop('release', `the queue loop failed: ${e.message}`));
  await worker.waitUntilReady();
  return { name, queue, identity, processes: pool.workers, stop, stopped };
}

/**
 * Where schedule-scoring jobs run: the seam between what asks for FIDs (collection, fronts) and
 * what computes them. Two implementations:
 *
 *   local pool  (scoring-pool.ts, the default): worker processes on this machine, one per core.
 *   queue       (queue/queue-scoring.ts): a BullMQ queue on Redis; `oms-dpm worker` processes on any
 *               machine with the kit and the same experiment take the jobs. The job id is a hash of
 *               the job's content, so a duplicate submission collapses into one job.
 *
 * Callers choose with `startScoring(exp, { queue })` (start-scoring.ts) and then only see
 * `ScoringBackend`: a job in, its result out, in whatever order the jobs finish. Only the caller
 * writes results. This file holds the seam itself, which both implementations import; the choice
 * between them lives in start-scoring.ts, which imports both.
 */
import type { ResolvedExperiment } from '../config/index';
import type { ImageMeasures } from '../metrics/image-measures';
import type { SolverName } from '../schedule/index';
import { KitError } from '../util/errors';

export interface PoolScore { fid: number; nfe: number; images: number; seconds: number }

export interface PoolMeasures { measures: ImageMeasures; seconds: number }

/** What collection and fronts need of whatever scores their schedules. */
export interface ScoringBackend {
  /** the engine tag every result is sampled on (e.g. onnxruntime-cpu): prices records and is stored with them */
  readonly engine: string;
  /** Real FID of `schedule` on the first `images` images of the noise bank. */
  score(solver: SolverName, schedule: readonly number[], images: number): Promise<PoolScore>;
  /** The measures of noise-bank images [start, start + count) sampled with `schedule`. */
  measure(solver: SolverName, schedule: readonly number[], start: number, count: number): Promise<PoolMeasures>;
  /** Stops it; jobs not yet answered are rejected. */
  close(): void | Promise<void>;
}

/** Jobs of a queue backend as the submitter sees them. */
export interface QueueStatus {
  /** the queue's URL and name */
  url: string;
  queue: string;
  /** answered jobs of this run */
  done: number;
  /** submitted and not yet answered */
  inFlight: number;
  /** failed (refused by a worker, an error while scoring, or stalled too often) */
  failed: number;
  /** jobs handed to another worker after theirs stopped renewing its lock (killed, lost) */
  stalled: number;
  /** distinct workers seen: connected to the queue now or earlier, or answering a job */
  workersSeen: number;
  /** of those, connected now */
  workersNow: number;
}

const QUEUE_URL = /^(redis|rediss|unix):\/\/\S+$/;

/**
 * The queue a command sends its jobs to: `--queue` (the flag), else OMS_DPM_QUEUE, else the
 * config's collection.queue; null = the local pool. `local` (or an empty value) in the flag or the
 * variable forces the local pool over whatever comes after it.
 */
export function resolveQueueUrl(flag: string | undefined, exp: ResolvedExperiment): string | null {
  const pick = (raw: string | undefined, what: string): string | null | undefined => {
    if (raw === undefined) return undefined;
    const v = raw.trim();
    if (v === '' || v === 'local') return null;
    if (!QUEUE_URL.test(v)) {
      throw new KitError(`${what}=${shownQueueUrl(raw)} is not a queue URL`, { hint: 'give redis://HOST:PORT (e.g. redis://127.0.0.1:6379), unix:///path/to/redis.sock, or local for the local worker pool' });
    }
    return v;
  };
  const fromFlag = pick(flag, '--queue');
  if (fromFlag !== undefined) return fromFlag;
  const fromEnv = pick(process.env.OMS_DPM_QUEUE, 'OMS_DPM_QUEUE');
  if (fromEnv !== undefined) return fromEnv;
  return exp.config.collection.queue ?? null;
}

/** A queue URL fit for printing: its password replaced by *** (redis://:***@host:6379). */
export function shownQueueUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}

/** One line of queue progress: jobs done / in flight / failed, workers seen. */
export function formatQueueStatus(s: QueueStatus): string {
  const idle = s.workersNow === 0 && s.inFlight > 0 ? ' (no worker connected: start `oms-dpm worker` with this experiment and --queue)' : '';
  return `queue: ${s.done} done, ${s.inFlight} in flight, ${s.failed} failed${s.stalled ? `, ${s.stalled} stalled and handed on` : ''}; ${s.workersSeen} worker(s) seen, ${s.workersNow} connected${idle}`;
}

/**
 * Starts the scoring backend a run's jobs go to (scoring-backend.ts is the seam): the local pool of
 * worker processes (scoring-pool.ts), or the BullMQ queue on Redis (queue/queue-scoring.ts),
 * loaded only when a queue is used.
 */
import type { ResolvedExperiment } from '../config/index';
import type { OnnxExportEvent, SamplingEngine } from '../zoo/sampling-engine';
import type { QueueStatus, ScoringBackend } from './scoring-backend';
import { ScoringPool } from './scoring-pool';

export interface ScoringOptions {
  /** the sampling engine of every worker (choose it with `chooseSamplingEngine`) */
  engine: SamplingEngine;
  /** local pool: worker processes */
  workers: number;
  /** local pool: intra-op threads per worker (ONNX Runtime); default 1 */
  threads?: number;
  /** told about every model.onnx (re-)exported before the workers start */
  onExport?: (e: OnnxExportEvent) => void;
  /** a queue URL (resolveQueueUrl); null or absent: the local pool */
  queue?: string | null;
  /** queue only: told the job counts whenever they change, and every few seconds */
  onQueueStatus?: (s: QueueStatus) => void;
}

/** Starts the backend `o.queue` names: the queue when it is a URL, else the local worker pool. */
export async function startScoring(exp: ResolvedExperiment, o: ScoringOptions): Promise<ScoringBackend> {
  if (o.queue) {
    // loaded only when a queue is used (BullMQ and its Redis client)
    const { QueueScoring } = require('./queue/queue-scoring') as typeof import('./queue/queue-scoring');
    return QueueScoring.start(exp, { engine: o.engine, url: o.queue, onExport: o.onExport, onStatus: o.onQueueStatus });
  }
  return ScoringPool.start(exp, { engine: o.engine, workers: o.workers, threads: o.threads, onExport: o.onExport });
}

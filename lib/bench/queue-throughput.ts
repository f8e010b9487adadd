/**
 * Collection throughput through the scoring queue, for `npm run bench` (--skip-queue skips it): the
 * same collection jobs (the dataset's first distinct random DDIM schedules at fid.images images)
 * scored by the local pool with 1 and 2 worker processes, and through a BullMQ queue on a private
 * Redis (lib/evaluation/queue/local-redis.ts) by 1 and 2 `oms-dpm worker` processes on this machine
 * (concurrency 1 each). Start-up (zoo loading, worker processes) is not timed; the queue is
 * emptied between rounds, so no round takes another's results. The ratio is the queue's throughput
 * over the local pool's with as many workers: what the queue costs on one machine, before it adds
 * machines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import IORedis from 'ioredis';
import { jobFor } from '../collection/schedule-job';
import { repoRoot, type ResolvedExperiment } from '../config/index';
import type { ScoringBackend } from '../evaluation/scoring-backend';
import { QueueScoring } from '../evaluation/queue/queue-scoring';
import { findRedisServer, startLocalRedis, type LocalRedis } from '../evaluation/queue/local-redis';
import { redisOptions } from '../evaluation/queue/redis-connection';
import { ScoringPool } from '../evaluation/scoring-pool';
import { chooseSamplingEngine, type SamplingEngine } from '../zoo/sampling-engine';
import { crossCheckUnavailable } from './collection-throughput';

export interface QueueThroughputRow {
  backend: 'local pool' | 'queue';
  workers: number;
  jobs: number;
  seconds: number;
  schedulesPerHour: number;
  /** queue rows: its schedules per hour over the local pool's with as many workers */
  ratio: number | null;
}

export interface QueueThroughput { engine: string; images: number; jobs: number; rows: QueueThroughputRow[] }

export interface QueueBenchOptions {
  /** --skip-queue */
  skip?: boolean;
  log: (line: string) => void;
  note: (line: string) => void;
  /** jobs per round (default 8) and images per job (default fid.images) */
  jobs?: number;
  images?: number;
  /** worker counts (default 1 and 2) */
  workers?: number[];
}

/** The first `n` distinct schedules of the dataset's random DDIM schedules. */
function distinctSchedules(exp: ResolvedExperiment, n: number): number[][] {
  const seen = new Set<string>();
  const out: number[][] = [];
  for (let id = 0; out.length < n && id < 100 * n; id++) {
    const s = jobFor(exp.config.collection, 'ddim', exp.config.zoo.length, exp.config.diffusion.timesteps, id).schedule;
    if (!seen.has(s.join(','))) {
      seen.add(s.join(','));
      out.push(s);
    }
  }
  return out;
}

async function timeRound(backend: ScoringBackend, schedules: number[][], images: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  await Promise.all(schedules.map((s) => backend.score('ddim', s, images)));
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** `n` `oms-dpm worker` processes of this experiment on `url`, each ready (its zoo loaded). */
async function startWorkers(exp: ResolvedExperiment, engine: SamplingEngine, url: string, n: number): Promise<ChildProcess[]> {
  const args = [path.join(repoRoot(), 'bin', 'oms-dpm.js'), 'worker', '--experiment', exp.sourceFile, '--profile', exp.profile, ...exp.sets.flatMap((s) => ['--set', s]), '--queue', url, '--concurrency', '1', '--engine', engine];
  const env = { ...process.env };
  delete env.OMS_DPM_QUEUE;
  const children = Array.from({ length: n }, () => spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve, reject) => {
          let out = '';
          const onData = (b: Buffer) => {
            out += String(b);
            if (/worker \S+ ready/.test(out)) resolve();
          };
          c.stdout!.on('data', onData);
          c.stderr!.on('data', onData);
          c.once('exit', (code) => reject(new Error(`a queue worker exited with code ${code} before it was ready:\n${out}`)));
        }),
    ),
  );
  return children;
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
}

/** Measures and prints the table; null (with a note) when it cannot run here. */
export async function benchQueueThroughput(exp: ResolvedExperiment, o: QueueBenchOptions): Promise<QueueThroughput | null> {
  if (o.skip) return null;
  const unavailable = crossCheckUnavailable(exp);
  if (unavailable) {
    o.note(`collection through the queue not measured: ${unavailable}`);
    return null;
  }
  const bin = findRedisServer();
  if (!bin) {
    o.note('collection through the queue not measured: redis-server is not installed (bash scripts/setup.sh installs it)');
    return null;
  }
  const choice = await chooseSamplingEngine();
  const images = o.images ?? exp.config.fid.images;
  const schedules = distinctSchedules(exp, o.jobs ?? 8);
  const counts = o.workers ?? [1, 2];
  o.log('');
  o.log(`collection through the queue: ${schedules.length} DDIM schedules of ${images} images on ${choice.tag}, local pool and queue workers on this machine (start-up not timed) ...`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omsdpm-bench-redis-'));
  let redis: LocalRedis | null = null;
  const rows: QueueThroughputRow[] = [];
  try {
    redis = await startLocalRedis(bin, dir);
    for (const n of counts) {
      const pool = await ScoringPool.start(exp, { engine: choice.engine, workers: n });
      let local: number;
      try {
        local = await timeRound(pool, schedules, images);
      } finally {
        pool.close();
      }
      rows.push({ backend: 'local pool', workers: n, jobs: schedules.length, seconds: local, schedulesPerHour: (3600 * schedules.length) / local, ratio: null });

      const flush = new IORedis(redisOptions(redis.url));
      await flush.flushall(); // no round takes the results of another
      flush.disconnect();
      const workers = await startWorkers(exp, choice.engine, redis.url, n);
      let queued: number;
      try {
        const q = await QueueScoring.start(exp, { engine: choice.engine, url: redis.url });
        try {
          queued = await timeRound(q, schedules, images);
        } finally {
          await q.close();
        }
      } finally {
        await stopWorkers(workers);
      }
      const perHour = (3600 * schedules.length) / queued;
      rows.push({ backend: 'queue', workers: n, jobs: schedules.length, seconds: queued, schedulesPerHour: perHour, ratio: perHour / ((3600 * schedules.length) / local) });
    }
  } finally {
    try {
      await redis?.stop();
    } finally {
      // removed even when the server will not stop: the folder holds only its socket
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  o.log(queueThroughputTable(rows));
  o.note(`collection through the queue (${schedules.length} DDIM schedules x ${images} images, ${choice.tag}): ${rows.map((r) => `${r.backend} ${r.workers} worker(s) ${r.schedulesPerHour.toFixed(0)}/h${r.ratio === null ? '' : ` (${r.ratio.toFixed(2)}x the local pool)`}`).join('; ')}`);
  return { engine: choice.tag, images, jobs: schedules.length, rows };
}

export function queueThroughputTable(rows: readonly QueueThroughputRow[]): string {
  const head = ['backend', 'workers', 'jobs', 'seconds', 'schedules/h', 'queue / local pool'];
  const body = rows.map((r) => [r.backend, String(r.workers), String(r.jobs), r.seconds.toFixed(2), r.schedulesPerHour.toFixed(0), r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

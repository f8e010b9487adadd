/**
 * Trains zoo members side by side, one `oms-dpm train-zoo --model <id>` process per member and at
 * most `jobs` at a time. TF.js on WASM uses one core per process, so on a 2-core machine two
 * members at a time train the zoo in about half the wall time of one after another (`npm run
 * bench`, "training parallelism", measures the slowdown two processes cause each other).
 *
 * Members start in decreasing order of estimated cost (parameters x iterations): the longest job
 * first, so the last to finish is a short one (longest-processing-time-first scheduling). Every
 * child checkpoints and resumes on its own exactly as a single train-zoo does, so a killed parallel
 * run resumes with the same command plus --resume. A failing member does not stop the others (their
 * hours of work are kept); the run reports every failure at the end.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { repoRoot, resolveModelTraining, type ResolvedExperiment } from '../config/index';
import { countParams, planUNet } from '../diffusion/unet-spec';
import { KitError } from '../util/errors';
import { LOCK_HOLDER_ENV } from '../util/run-lock';
import { archFor } from './zoo-model';

export interface ParallelTrainingOptions {
  /** members trained at once (processes) */
  jobs: number;
  /** the train-zoo arguments every child gets besides `--model <id>` (experiment, profile, --set, --resume, grid ...) */
  childArgs: string[];
  /** every line a child prints, with its member id */
  onLine?: (modelId: string, line: string, stream: 'stdout' | 'stderr') => void;
  onStart?: (modelId: string) => void;
  onExit?: (modelId: string, code: number | null) => void;
}

/** The members in the order they start: estimated cost (parameters x iterations), largest first. */
export function trainingOrder(exp: ResolvedExperiment, ids: readonly string[]): string[] {
  const cost = (id: string) => countParams(planUNet(archFor(exp.config, id))) * resolveModelTraining(exp.config, id).iterations;
  return [...ids].sort((a, b) => cost(b) - cost(a));
}

export async function trainMembersInParallel(exp: ResolvedExperiment, ids: readonly string[], o: ParallelTrainingOptions): Promise<void> {
  if (!Number.isInteger(o.jobs) || o.jobs < 1) throw new KitError(`train-zoo --jobs must be a positive integer, got ${o.jobs}`);
  const queue = trainingOrder(exp, ids);
  const failed: { id: string; code: number | null }[] = [];
  const cli = path.join(repoRoot(), 'bin', 'oms-dpm.js');

  const runOne = (id: string) =>
    new Promise<void>((resolve) => {
      o.onStart?.(id);
      // the children work under this process's lock on the results folder (util/run-lock.ts)
      const env = { ...process.env, [LOCK_HOLDER_ENV]: String(process.pid) };
      const child = spawn(process.execPath, [cli, 'train-zoo', ...o.childArgs, '--model', id], { stdio: ['ignore', 'pipe', 'pipe'], env });
      const forward = (stream: 'stdout' | 'stderr') => {
        readline.createInterface({ input: child[stream] }).on('line', (line) => o.onLine?.(id, line, stream));
      };
      forward('stdout');
      forward('stderr');
      child.on('close', (code) => {
        if (code !== 0) failed.push({ id, code });
        o.onExit?.(id, code);
        resolve();
      });
    });

  const lane = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) await runOne(id);
  };
  await Promise.all(Array.from({ length: Math.min(o.jobs, queue.length) }, lane));
  if (failed.length > 0) {
    throw new KitError(`training failed for ${failed.map((f) => `'${f.id}' (exit ${f.code})`).join(', ')}; the other members finished`, {
      hint: 'read that member\'s lines above (prefixed with its id); fix the cause and rerun the same command with --resume',
    });
  }
}

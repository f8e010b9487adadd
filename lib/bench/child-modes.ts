/**
 * The internal modes of `oms-dpm bench` that run in a child process of the bench itself and print
 * one JSON line (lib/bench/bench-context.ts, benchChild): one model's TF.js times (--model), the
 * training steps of one member for the parallelism section (--train-run), and the memory check
 * (--memory-run). Each runs in its own process so that its peak memory is its own.
 */
import type { ResolvedExperiment } from '../config/index';
import { KitError } from '../util/errors';
import { memoryOverSteps } from './memory-over-steps';
import { benchModel } from './model-bench';
import { MEMORY_BATCH } from './section-memory';
import { trainRun } from './train-run';

export interface BenchChildMode {
  /** --memory-run: the memory check over `memorySteps` steps of the smallest zoo model */
  memoryRun: boolean;
  memorySteps: number;
  /** --train-run: training steps of `model` (after the warm-up, wait for a line on stdin when `waitGo`) */
  trainRun: boolean;
  waitGo: boolean;
  /** --model: that model's forward and training-step times (without --train-run) */
  model?: string;
  batch: number;
  repeats: number;
}

/** Whether these options select a child mode. */
export function isBenchChildMode(o: Pick<BenchChildMode, 'memoryRun' | 'trainRun' | 'model'>): boolean {
  return o.memoryRun || o.trainRun || Boolean(o.model);
}

/** Runs the child mode the options select and returns what it prints (as one JSON line). */
export async function runBenchChildMode(exp: ResolvedExperiment, o: BenchChildMode): Promise<unknown> {
  if (o.memoryRun) return memoryOverSteps(exp, exp.config.zoo[0].id, MEMORY_BATCH, o.memorySteps);
  if (o.trainRun) {
    if (!o.model) throw new KitError('--train-run needs --model <id>', { hint: `zoo ids: ${exp.config.zoo.map((m) => m.id).join(', ')}` });
    return trainRun(exp, o.model, o.batch, o.repeats, o.waitGo);
  }
  if (!o.model) throw new Error('runBenchChildMode: no child mode selected');
  return benchModel(exp, o.model, o.batch, o.repeats);
}

/**
 * The bench's training-parallelism section: for every zoo member, its training step alone, with
 * two processes of it at once, and data-parallel over two workers (half the batch each, plus the
 * gradient exchange), each in child processes that really run at the same time; then the zoo's
 * training time at the configured iterations under each strategy, and the faster one
 * (lib/bench/training-parallelism.ts). This is how the choice between training two members at a
 * time and one member on both cores is measured instead of argued.
 */
import type { ResolvedExperiment } from '../config/index';
import { resolveModelTraining } from '../config/index';
import { countParams, planUNet } from '../diffusion/unet-spec';
import { KitError } from '../util/errors';
import { archFor } from '../zoo/zoo-model';
import { timeGradientExchange } from './gradient-exchange';
import type { TrainingParallelismRow } from './report';
import { trainRunsTogether } from './train-run';
import { zooTrainingTimes, type ZooTrainingTimes } from './training-parallelism';

/** The two data-parallel workers' batches: batch / 2 each, the odd image to the first. */
export function dataParallelBatches(batch: number): [number, number] {
  if (!Number.isInteger(batch) || batch < 2) {
    throw new KitError(`the data-parallel measurement needs a batch of at least 2 (two workers of batch / 2), got ${batch}`, { hint: 'use --batch 2 or more, or --skip-parallel' });
  }
  return [Math.ceil(batch / 2), Math.floor(batch / 2)];
}

export interface ParallelismBenchOptions {
  /** node arguments of a child `oms-dpm bench` with the experiment options, before the mode flags */
  command: readonly string[];
  batch: number;
  repeats: number;
  /** progress, one line per member */
  log?: (line: string) => void;
}

export async function benchTrainingParallelism(
  exp: ResolvedExperiment,
  o: ParallelismBenchOptions,
): Promise<{ rows: TrainingParallelismRow[]; plan: ZooTrainingTimes; notes: string[] }> {
  const halves = dataParallelBatches(o.batch);
  const ids = exp.config.zoo.map((m) => m.id);
  const params = ids.map((id) => countParams(planUNet(archFor(exp.config, id))));
  const exchange = await timeGradientExchange(params);
  const rows: TrainingParallelismRow[] = [];
  const notes: string[] = [];
  for (const [k, id] of ids.entries()) {
    const [alone] = await trainRunsTogether(o.command, id, [o.batch], o.repeats);
    const pair = await trainRunsTogether(o.command, id, [o.batch, o.batch], o.repeats);
    const dp = await trainRunsTogether(o.command, id, halves, o.repeats);
    const t = resolveModelTraining(exp.config, id);
    const pairMs = (pair[0].stepMs + pair[1].stepMs) / 2;
    const dataParallelComputeMs = Math.max(dp[0].stepMs, dp[1].stepMs);
    const exchangeMs = exchange[k].medianMs;
    const dataParallelMs = dataParallelComputeMs + exchangeMs;
    const row: TrainingParallelismRow = {
      id,
      params: params[k],
      batch: o.batch,
      trainingBatch: t.batchSize,
      iterations: t.iterations,
      aloneMs: alone.stepMs,
      aloneSpreadMs: alone.spreadMs,
      pairMs,
      pairMsEach: [pair[0].stepMs, pair[1].stepMs],
      pairSlowdown: pairMs / alone.stepMs,
      dataParallelBatches: halves,
      dataParallelComputeMsEach: [dp[0].stepMs, dp[1].stepMs],
      dataParallelComputeMs,
      exchangeMs,
      exchangeBytes: exchange[k].bytes,
      dataParallelMs,
      dataParallelSpeedup: alone.stepMs / dataParallelMs,
    };
    rows.push(row);
    o.log?.(`  ${id}: alone ${row.aloneMs.toFixed(1)} ms, two at once ${row.pairMs.toFixed(1)} ms, data-parallel ${row.dataParallelComputeMs.toFixed(1)} + ${row.exchangeMs.toFixed(2)} ms`);
  }
  const other = rows.filter((r) => r.trainingBatch !== r.batch);
  if (other.length > 0) {
    notes.push(`the zoo's training time is priced at the bench batch ${o.batch}; ${other.map((r) => `${r.id} trains at batch ${r.trainingBatch}`).join(', ')} (run with --batch ${other[0].trainingBatch} for its real step)`);
  }
  return { rows, plan: zooTrainingTimes(rows, 2), notes };
}

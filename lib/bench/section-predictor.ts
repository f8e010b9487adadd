/**
 * The bench's predictor section (--skip-predictor skips it): SchedulePredictor.score throughput
 * (paper sizes, random weights) on random DDIM (L = 100) and DPM-Solver (L = 60) schedules scored
 * in one call, and one training epoch with and without the transposing WASM matMul
 * (lib/bench/predictor-bench.ts).
 */
import type { BenchContext } from './bench-context';
import { benchPredictorThroughput, type PredictorThroughput } from './predictor-bench';

export async function predictorSection(ctx: BenchContext, schedules: number): Promise<PredictorThroughput[]> {
  const predictor = await benchPredictorThroughput(ctx.exp.config.zoo.length, schedules);
  ctx.log('');
  ctx.log(`predictor scoring (paper sizes, random weights, ${schedules} random schedules in one call): ${predictor.map((p) => `${p.solver} L=${p.length}: ${p.schedulesPerSecond.toFixed(0)} schedules/s`).join('; ')}`);
  ctx.log(
    `predictor training, one epoch on ${predictor[0]?.trainingRecords ?? 0} records: ` +
      predictor.map((p) => `${p.solver} L=${p.length}: ${p.trainEpochMs.toFixed(0)} ms (with the backend's own flagged matMul ${p.trainEpochMsPlainMatMul.toFixed(0)} ms, ${(p.trainEpochMsPlainMatMul / p.trainEpochMs).toFixed(2)}x)`).join('; '),
  );
  return predictor;
}

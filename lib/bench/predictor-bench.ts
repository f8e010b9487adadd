/**
 * Scoring throughput of the schedule predictor for `npm run bench`: `SchedulePredictor.score` on
 * `count` random schedules of the dataset distribution (lib/schedule/random.ts) in one call (the
 * predictor chunks it, 1024 per forward pass), for DDIM L = 100 and DPM-Solver L = 60 (the
 * official dataset lengths), at the paper's default sizes with random weights, after a warm-up
 * call on (up to) 64 of them. Schedules per second = count / seconds. Then one training epoch on
 * 200 of them (synthetic FIDs), with the kit's transposing WASM matMul and with the backend's own.
 */
import { streamRng } from '../util/rng';
import { SchedulePredictor } from '../predictor/predictor';
import { sampleRandomSchedule, scheduleEntries, type SolverName } from '../schedule/index';
import { secondsOf } from './timing';
import { trainPredictor } from '../predictor/train';
import { withPlainMatMul } from '../tfjs/wasm-transposing-matmul';

export const PREDICTOR_BENCH_LENGTHS: Readonly<Record<SolverName, number>> = { ddim: 100, 'dpm-solver': 60 };

export interface PredictorThroughput {
  solver: SolverName;
  length: number;
  schedules: number;
  seconds: number;
  schedulesPerSecond: number;
  /** one training epoch (ranking loss, batch 512) on `trainingRecords` of the schedules, in ms */
  trainingRecords: number;
  trainEpochMs: number;
  /** the same with the WASM backend's own flagged matMul (lib/tfjs/wasm-transposing-matmul.ts); equal off WASM */
  trainEpochMsPlainMatMul: number;
}

/** Training records of the bench's epoch timing: about a CPU profile's training split. */
export const PREDICTOR_BENCH_TRAINING_RECORDS = 200;

/** ms per training epoch of `predictor` on `schedules` with synthetic FIDs (fewer NFEs = worse), after one warm-up epoch. */
function epochMs(predictor: SchedulePredictor, schedules: number[][]): number {
  const fids = schedules.map((s) => 100 - s.filter((m) => m > 0).length);
  const set = { schedules, fids };
  const run = (epochs: number) => trainPredictor(predictor, set, set, { epochs, seed: 0, batchSize: 512, lr: 1e-3, loss: 'ranking', evalEvery: 1_000_000 });
  run(1);
  const t0 = performance.now();
  run(2);
  return (performance.now() - t0) / 2;
}

export function randomSchedules(solver: SolverName, length: number, numModels: number, count: number, seed = 0): number[][] {
  return Array.from({ length: count }, (_, i) => [...scheduleEntries(sampleRandomSchedule(solver, { length, numModels }, streamRng(seed, 'bench-predictor-schedules', solver, i)))]);
}

export async function benchPredictorThroughput(numModels: number, count: number, solvers: readonly SolverName[] = ['ddim', 'dpm-solver']): Promise<PredictorThroughput[]> {
  const out: PredictorThroughput[] = [];
  for (const solver of solvers) {
    const length = PREDICTOR_BENCH_LENGTHS[solver];
    const schedules = randomSchedules(solver, length, numModels, count);
    const predictor = SchedulePredictor.create({ solver, numModels, length }, 0);
    try {
      predictor.score(schedules.slice(0, Math.min(count, 64)));
      const { seconds } = await secondsOf(() => predictor.score(schedules));
      const training = schedules.slice(0, Math.min(count, PREDICTOR_BENCH_TRAINING_RECORDS));
      const trainEpochMs = epochMs(predictor, training);
      const trainEpochMsPlainMatMul = withPlainMatMul(() => epochMs(predictor, training));
      out.push({ solver, length, schedules: count, seconds, schedulesPerSecond: count / seconds, trainingRecords: training.length, trainEpochMs, trainEpochMsPlainMatMul });
    } finally {
      predictor.dispose();
    }
  }
  return out;
}

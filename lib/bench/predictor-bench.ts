/**
 * Scoring throughput of the schedule predictor for `npm run bench`: `SchedulePredictor.score` on
 * `count` random schedules of the dataset distribution (lib/schedule/random.ts) in one call (the
 * predictor chunks it, 1024 per forward pass), for DDIM L = 100 and DPM-Solver L = 60 (the
 * official dataset lengths), at the paper's default sizes with random weights, after a warm-up
 * call on (up to) 64 of them. Schedules per second = count / seconds.
 */
import { streamRng } from '../util/rng';
import { SchedulePredictor } from '../predictor/predictor';
import { sampleRandomSchedule, scheduleEntries, type SolverName } from '../schedule/index';
import { secondsOf } from './timing';

export const PREDICTOR_BENCH_LENGTHS: Readonly<Record<SolverName, number>> = { ddim: 100, 'dpm-solver': 60 };

export interface PredictorThroughput {
  solver: SolverName;
  length: number;
  schedules: number;
  seconds: number;
  schedulesPerSecond: number;
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
      out.push({ solver, length, schedules: count, seconds, schedulesPerSecond: count / seconds });
    } finally {
      predictor.dispose();
    }
  }
  return out;
}

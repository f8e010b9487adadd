/**
 * A front run without a zoo: an analytic "FID" (better with more NFEs of better models), a fake
 * search that proposes a few budget-fitting schedules, and a synthetic training set, in a temp
 * folder. The scorer and the search count their calls, which is what caching and resuming change.
 *
 * Held-out images are measured synthetically: image i's 4-d feature is its own standard normal
 * draw (stream (0, 'synthetic-image', i), the same for every schedule, like a noise bank) shifted
 * by sqrt(analyticFid / 4) in every dimension, against a standard normal reference, so the
 * held-out FID is the analytic one plus sampling noise, and schedules are paired image by image.
 */
import * as path from 'node:path';
import type { ScheduleRecord } from '../../lib/collection/dataset-file';
import { BUDGET_RULE, defaultFrontSettings, randomBaselineSchedules, type FrontInputs, type FrontSettings } from '../../lib/front/index';
import { nfe, scheduleCost, type SolverName } from '../../lib/schedule/index';
import { fillNormal, streamRng } from '../../lib/util/rng';
import { heldOutEvaluator, type FrontMeasurer } from '../../lib/front/index';
import type { ImageMeasures } from '../../lib/metrics/image-measures';
import { jobFor, splitOf } from '../../lib/collection/schedule-job';
import { tempDir as testTempDir } from '../helpers/temp-dir';

export const LATENCY = [0, 2, 5, 11];
const QUALITY = [0, 1, 2.5, 4];

/** Lower with more and better NFEs; the length term keeps different encodings apart. */
export function analyticFid(schedule: readonly number[]): number {
  const q = schedule.reduce((acc, m) => acc + QUALITY[m], 0);
  return 5 + 100 / (1 + q) + schedule.length * 1e-4 + schedule.filter((m, i) => m > 0 && i % 2 === 0).length * 0.01;
}

export interface Counters {
  scored: string[];
  searches: number[];
  /** held-out evaluations asked of the measurer */
  measured?: string[];
}

const DIM = 4;
export const HELD_OUT = { start: 1000, images: 200, resamples: 200, seed: 0, level: 0.95 };

/** The synthetic measures of images [start, start + count) made with `schedule` (see the file comment). */
export function syntheticMeasures(schedule: readonly number[], start: number, count: number): ImageMeasures {
  const shift = Math.sqrt(analyticFid(schedule) / DIM);
  const features = new Float32Array(count * DIM);
  const z = new Float32Array(DIM);
  for (let i = 0; i < count; i++) {
    fillNormal(z, streamRng(0, 'synthetic-image', start + i));
    for (let j = 0; j < DIM; j++) features[i * DIM + j] = z[j] + shift;
  }
  const topClass = Int32Array.from({ length: count }, (_, i) => (start + i) % 3);
  return { count, dim: DIM, features, classes: 3, topClass, topProb: new Float32Array(count).fill(0.95), meanIntensity: new Float32Array(count).fill(0.2) };
}

export function syntheticMeasurer(counters: Counters): FrontMeasurer {
  return async (s, schedule, start, count) => {
    (counters.measured ??= []).push(`${s}:${schedule.join(',')}`);
    return { measures: syntheticMeasures(schedule, start, count), engine: 'test-engine', seconds: 0 };
  };
}

const standardNormal = () => {
  const sigma = new Float64Array(DIM * DIM);
  for (let i = 0; i < DIM; i++) sigma[i * DIM + i] = 1;
  return { mu: new Float64Array(DIM), sigma, dim: DIM };
};

/** A fresh folder for a front run, removed when the test file's process exits (test/helpers/temp-dir.ts). */
export function tempDir(): string {
  return testTempDir('omsdpm-front-');
}

/** Synthetic dataset records: the collection's random schedules with analytic FIDs. */
export function trainingRecords(solver: SolverName, length: number, count = 40): ScheduleRecord[] {
  const c = { ddimLength: length, dpmSolverLength: length, dirichletAlpha: 0.4, nullProbability: 0.8, seed: 0, trainRatio: 0.5, splitSeed: 0, workers: 1, count, queue: null };
  return Array.from({ length: count }, (_, id) => {
    const { schedule } = jobFor(c, solver, 3, 1000, id);
    return { id, split: splitOf(c, id), solver, schedule, fid: analyticFid(schedule) + 3, costMs: null, nfe: nfe(schedule), images: 32, seed: 0, configHash: 'x', engine: 'synthetic', seconds: 0 };
  });
}

export function makeRun(dir: string, counters: Counters, o: { solver?: SolverName; budgets?: number[]; settings?: Partial<FrontSettings>; failAfter?: number; length?: number } = {}): FrontInputs {
  const solver = o.solver ?? 'ddim';
  const length = o.length ?? (solver === 'ddim' ? 10 : 9);
  return {
    experiment: 'synthetic',
    experimentConfigHash: 'cfg',
    solver,
    engine: 'test-engine',
    latency: LATENCY,
    modelIds: ['s', 'm', 'l'],
    length,
    timesteps: 1000,
    budgets: o.budgets ?? [10, 30, 60],
    budgetRule: BUDGET_RULE,
    images: 16,
    heldOut: heldOutEvaluator(HELD_OUT, syntheticMeasurer(counters), standardNormal(), { low: 0.05, high: 0.3, images: 100 }),
    rerankTopK: 3,
    randomDistribution: { alpha: 0.4, nullProb: 0.8 },
    settings: { ...defaultFrontSettings(0), randomCount: 3, ...o.settings },
    featureNetwork: 'analytic',
    scoreIdentity: 'scores-v1',
    inputsIdentity: 'inputs-v1',
    score: async (s, schedule, images) => {
      if (o.failAfter !== undefined && counters.scored.length >= o.failAfter) throw new Error('killed');
      counters.scored.push(`${s}:${schedule.join(',')}`);
      return { fid: analyticFid(schedule), images, engine: 'test-engine', seconds: 0 };
    },
    search: async (budget) => {
      counters.searches.push(budget);
      // a "population": repaired random schedules, ranked by a noisy copy of the true FID
      const xs = randomBaselineSchedules({ solver, length, latency: LATENCY, budget, count: 5, seed: 99, alpha: 0.4, nullProb: 0.8, timesteps: 1000 });
      return xs
        .map((schedule, i) => ({ schedule, score: analyticFid(schedule) + (i % 2) * 0.5, cost: scheduleCost(schedule, LATENCY), nfe: nfe(schedule) }))
        .sort((a, b) => a.score - b.score);
    },
    trainingRecords: () => trainingRecords(solver, length),
    provenance: { test: true },
    file: path.join(dir, `front-${solver}.json`),
    scoresFile: path.join(dir, `front-${solver}-scores.jsonl`),
  };
}

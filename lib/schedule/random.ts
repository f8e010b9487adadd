/**
 * The random-schedule distribution of the schedule-FID dataset (method doc §4, the official
 * "multinomial+hierarchical" sampler):
 *
 *   p ~ Dirichlet(alpha, ..., alpha) over the N models           (alpha = 0.4)
 *   m_i ~ Categorical(p) + 1 for every position i = 0..L-1
 *   m_i <- 0 with probability q, independently                    (q = 0.8)
 *   DPM-Solver: the non-zero entries of each group of 3 are moved to its front (order kept).
 *
 * The small alpha makes each schedule favour a few models, so the dataset covers both
 * near-single-model schedules and mixtures. One deviation: a draw with no active entry (probability
 * q^L, about 1.5e-6 for L = 60) is redrawn, since no sampler can run it.
 *
 * Everything is driven by a seeded uniform generator (`streamRng`), so a dataset is reproducible
 * from its seed; Gamma variates for the Dirichlet use Marsaglia and Tsang's method.
 */
import { Rng, streamRng } from '../util/rng';
import { KitError } from '../util/errors';
import { GROUP_SIZE, ModelSchedule, NULL_MODEL, SolverName } from './types';
import { validateSchedule } from './validate';

/** A standard normal variate (Box-Muller; one of the pair is used). */
export function sampleNormal(rng: Rng): number {
  let u = rng();
  while (u <= 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * A Gamma(shape, 1) variate. Marsaglia & Tsang (2000): for shape a >= 1, with d = a - 1/3 and
 * c = 1 / sqrt(9 d), draw x ~ N(0, 1), v = (1 + c x)^3 and accept d v when v > 0 and
 * log u < x^2 / 2 + d - d v + d log v (u ~ U(0, 1); the squeeze u < 1 - 0.0331 x^4 accepts early).
 * For a < 1, Gamma(a) = Gamma(a + 1) * u^(1/a).
 */
export function sampleGamma(shape: number, rng: Rng): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new Error(`Gamma shape must be a positive number, got ${shape}`);
  if (shape < 1) {
    const u = rng();
    return sampleGamma(shape + 1, rng) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = sampleNormal(rng);
    const w = 1 + c * x;
    if (w <= 0) continue;
    const v = w * w * w;
    const u = rng();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** p ~ Dirichlet(alpha, ..., alpha) of dimension n: normalised independent Gamma(alpha) variates. */
export function sampleDirichlet(alpha: number, n: number, rng: Rng): number[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`Dirichlet dimension must be a positive integer, got ${n}`);
  for (;;) {
    const g = Array.from({ length: n }, () => sampleGamma(alpha, rng));
    const sum = g.reduce((a, b) => a + b, 0);
    // All n variates can underflow to 0 only for tiny alpha; draw again then.
    if (sum > 0 && Number.isFinite(sum)) return g.map((x) => x / sum);
  }
}

/** An index i with probability p[i] (inverse CDF; p need not be exactly normalised). */
export function sampleCategorical(p: readonly number[], rng: Rng): number {
  const total = p.reduce((a, b) => a + b, 0);
  let u = rng() * total;
  for (let i = 0; i < p.length; i++) {
    u -= p[i];
    if (u < 0) return i;
  }
  // Rounding left u >= 0: the last index with positive mass.
  for (let i = p.length - 1; i >= 0; i--) if (p[i] > 0) return i;
  throw new Error('categorical distribution has no positive probability');
}

/** Moves the non-zero entries of every group of 3 to the group's front, in place; returns it. */
export function packGroups(entries: number[]): number[] {
  for (let g = 0; g + GROUP_SIZE <= entries.length; g += GROUP_SIZE) {
    const group = entries.slice(g, g + GROUP_SIZE);
    const packed = [...group.filter((m) => m !== NULL_MODEL), ...group.filter((m) => m === NULL_MODEL)];
    for (let j = 0; j < GROUP_SIZE; j++) entries[g + j] = packed[j];
  }
  return entries;
}

export interface RandomScheduleOptions {
  /** Schedule length L (DDIM: 1..T; DPM-Solver: a multiple of 3). */
  length: number;
  /** Zoo size N. */
  numModels: number;
  /** Dirichlet concentration; default 0.4. */
  alpha?: number;
  /** Probability q that a position is null; default 0.8. */
  nullProb?: number;
  /** T, the discrete timesteps (a DDIM length must not exceed it); default 1000. */
  timesteps?: number;
}

/** The code's schedule lengths: DDIM 100 (CIFAR-10; 200 for CelebA), DPM-Solver dataset schedules 60. */
export const DEFAULT_RANDOM_LENGTH: Readonly<Record<SolverName, number>> = { ddim: 100, 'dpm-solver': 60 };

function checkOptions(solver: SolverName, o: RandomScheduleOptions): { alpha: number; nullProb: number } {
  const alpha = o.alpha ?? 0.4;
  const nullProb = o.nullProb ?? 0.8;
  if (!Number.isInteger(o.numModels) || o.numModels < 1) {
    throw new KitError(`random schedule: number of models must be a positive integer, got ${o.numModels}`, { hint: 'pass the zoo size N' });
  }
  if (!(alpha > 0) || !Number.isFinite(alpha)) {
    throw new KitError(`random schedule: Dirichlet alpha must be a positive number, got ${alpha}`, { hint: 'the official value is 0.4' });
  }
  if (!(nullProb >= 0 && nullProb < 1)) {
    throw new KitError(`random schedule: null probability must be in [0, 1), got ${nullProb}`, { hint: 'the official value is 0.8' });
  }
  const T = o.timesteps ?? 1000;
  const okLength =
    solver === 'ddim'
      ? Number.isInteger(o.length) && o.length >= 1 && o.length <= T
      : Number.isInteger(o.length) && o.length >= GROUP_SIZE && o.length % GROUP_SIZE === 0;
  if (!okLength) {
    throw new KitError(`random ${solver} schedule: length ${o.length} is not allowed`, {
      hint: solver === 'ddim' ? `a DDIM length is an integer in 1..${T} (code default 100)` : 'a DPM-Solver length is a positive multiple of 3 (dataset default 60)',
    });
  }
  return { alpha, nullProb };
}

/** One schedule from the distribution above, drawn with `rng`. Always valid (packed, >= 1 NFE). */
export function sampleRandomSchedule(solver: SolverName, options: RandomScheduleOptions, rng: Rng): ModelSchedule {
  const { alpha, nullProb } = checkOptions(solver, options);
  const N = options.numModels;
  for (;;) {
    const p = sampleDirichlet(alpha, N, rng);
    const entries = Array.from({ length: options.length }, () => sampleCategorical(p, rng) + 1);
    for (let i = entries.length - 1; i >= 0; i--) if (rng() < nullProb) entries[i] = NULL_MODEL;
    if (!entries.some((m) => m !== NULL_MODEL)) continue;
    if (solver === 'dpm-solver') packGroups(entries);
    return validateSchedule(solver, entries, N, options.length, { timesteps: options.timesteps });
  }
}

/**
 * `count` random schedules; schedule i is drawn from its own stream (seed, 'random-schedule',
 * solver, i), so it does not depend on `count` and datasets can be extended.
 */
export function randomSchedules(solver: SolverName, count: number, options: RandomScheduleOptions & { seed: number }): ModelSchedule[] {
  return Array.from({ length: count }, (_, i) => sampleRandomSchedule(solver, options, streamRng(options.seed, 'random-schedule', solver, i)));
}

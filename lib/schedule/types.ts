/**
 * Model schedules (method doc §3): which zoo model runs at which sampling step.
 *
 * A schedule is stored in the official integer-list form: `entries[i]` is a model index
 * 1..N (zoo[m - 1]) or 0, the null model (no network call, cost 0).
 *
 * - DDIM, length L: position i is discrete timestep i * floor(T / L); a non-zero entry takes one
 *   DDIM step there with that model. Steps run from the highest active timestep down.
 * - DPM-Solver, length 3K: K groups of 3. A group with k >= 1 non-zero entries, packed at its
 *   front, is one single-step DPM-Solver-k step; its entries are the models of the step's k NFEs.
 *   Read from the end: the last active group is the first step from noise, and inside a group the
 *   last non-zero entry is the first NFE.
 */

/** The samplers a schedule can drive. */
export const SOLVERS = ['ddim', 'dpm-solver'] as const;
export type SolverName = (typeof SOLVERS)[number];

/** The null model: the position is skipped, no network evaluation. */
export const NULL_MODEL = 0;

/** Entries per DPM-Solver group (the maximum single-step order). */
export const GROUP_SIZE = 3;

export interface DdimSchedule {
  readonly solver: 'ddim';
  /** Length L; entry i is the model at discrete timestep i * floor(T / L), 0 = skipped. */
  readonly entries: readonly number[];
}

export interface DpmSolverSchedule {
  readonly solver: 'dpm-solver';
  /** Length 3K; group g = entries[3g..3g+2], non-zero entries first. */
  readonly entries: readonly number[];
}

export type ModelSchedule = DdimSchedule | DpmSolverSchedule;

/**
 * One network evaluation, in the order the sampler calls the network.
 * DDIM: `order` 1, `stage` 0, no `t`; DPM-Solver: `t` is the continuous time.
 */
export interface Evaluation {
  /** Index of the solver step this NFE belongs to (0 = the first step, from noise). */
  step: number;
  /** Order k of that step (DDIM: 1). */
  order: number;
  /** Which of the step's k NFEs this is, 0..k-1 (0 = at the step's start time). */
  stage: number;
  /** Model index 1..N. */
  model: number;
  /** Index of this NFE's entry in the schedule. */
  position: number;
  /** Continuous time t in (0, 1] (DPM-Solver only). */
  t?: number;
  /** The network's time input: the discrete timestep (DDIM), or N * max(t - 1/N, 0) (DPM-Solver). */
  tInput: number;
}

/** One DDIM step, in calling order: x_timestep -> x_next with `model`. */
export interface DdimStep {
  /** Schedule position of the step. */
  position: number;
  /** Discrete timestep position * floor(T / L). */
  timestep: number;
  /** The next (lower) active timestep, or -1 for the clean image (alpha_bar = 1). */
  next: number;
  model: number;
}

/** One single-step DPM-Solver step from time s down to time t, in calling order. */
export interface DpmSolverStep {
  /** Group index g of the step in the schedule (entries 3g..3g+2). */
  group: number;
  /** Order k = number of non-zero entries of the group. */
  order: number;
  /** Models of the k NFEs in calling order (the group's non-zero entries, last one first). */
  models: number[];
  /** Schedule positions of those NFEs, same order. */
  positions: number[];
  /** Start time s (> t). */
  s: number;
  /** End time t. */
  t: number;
  /** lambda_s and lambda_t (lambda_t > lambda_s). */
  lambdaS: number;
  lambdaT: number;
  /** lambda fractions r_j of the k evaluation points: r_j = j / k, so r = [0], [0, 1/2] or [0, 1/3, 2/3]. */
  r: number[];
  /** Continuous times of the k evaluation points: s and inverse-lambda(lambda_s + r_j (lambda_t - lambda_s)). */
  times: number[];
}

/** The integer list of a schedule given either as a typed schedule or as its list. */
export function scheduleEntries(schedule: ModelSchedule | readonly number[]): readonly number[] {
  return isEntryList(schedule) ? schedule : schedule.entries;
}

function isEntryList(x: ModelSchedule | readonly number[]): x is readonly number[] {
  return Array.isArray(x);
}

/**
 * How long the zoo takes to train on a few cores, and which way of using them is fastest.
 * TF.js WASM runs one thread per process, so a 2-core machine trains the zoo either
 *
 *   one at a time   one process, one member after another (the other core idles);
 *   two at a time   one process per member, two members at once; each step is slower than alone
 *                   (the processes share memory bandwidth and caches), and when the last member
 *                   is left alone it runs at its alone speed again;
 *   data-parallel   one member at a time over two worker processes, each computing the gradient
 *                   of half the batch; the two gradients are exchanged and summed, and both apply
 *                   the same Adam step. A step costs the slower half plus the exchange.
 *
 * `npm run bench` measures the per-step times of every member in each setting; these pure
 * functions turn them into hours at the configured iterations, so that the choice is a number
 * measured on this machine rather than a guess.
 */
import { KitError } from '../util/errors';

export type TrainingStrategy = 'one-at-a-time' | 'two-at-a-time' | 'data-parallel';

/** Strategy order when wall times tie: the simpler one wins. */
export const TRAINING_STRATEGIES: readonly TrainingStrategy[] = ['one-at-a-time', 'two-at-a-time', 'data-parallel'];

/** One zoo member's measured step times (ms, at the bench batch) and its training length. */
export interface MemberStepTimes {
  id: string;
  /** training steps (resolveModelTraining(config, id).iterations) */
  iterations: number;
  /** a step with the machine otherwise idle */
  aloneMs: number;
  /** a step while another training process runs on the other core */
  pairMs: number;
  /** a data-parallel step over two workers: the slower half-batch step plus the gradient exchange */
  dataParallelMs: number;
}

export interface ZooTrainingTimes {
  /** cores the two-at-a-time plan runs members on */
  cores: number;
  /** the zoo's training work: every member alone, summed, in core-hours */
  coreHours: number;
  /** wall-clock hours of each strategy */
  wallHours: Record<TrainingStrategy, number>;
  /** the strategy with the smallest wall time */
  choice: TrainingStrategy;
  /** why, in words */
  reason: string;
}

function checkCores(cores: number): void {
  if (!Number.isInteger(cores) || cores < 1) throw new KitError(`cores must be a positive integer, got ${cores}`);
}

function checkDuration(what: string, d: number): void {
  if (!Number.isFinite(d) || d < 0) throw new KitError(`${what} must be a finite non-negative duration, got ${d}`);
}

/**
 * Makespan of independent jobs on `cores` identical cores, each job on one core, scheduled
 * longest-processing-time first: the jobs sorted longest first, each given to the core that
 * frees first. Simple and within 4/3 of the optimum; with the zoo's handful of members it is the
 * plan a person would write down by hand.
 */
export function lptMakespan(durations: readonly number[], cores: number): number {
  checkCores(cores);
  if (durations.length === 0) throw new KitError('lptMakespan: no jobs to schedule (an empty list of durations)', { hint: 'pass at least one job duration' });
  durations.forEach((d, i) => checkDuration(`job ${i}`, d));
  const loads = new Array<number>(cores).fill(0);
  for (const d of [...durations].sort((a, b) => b - a)) {
    let k = 0;
    for (let c = 1; c < cores; c++) if (loads[c] < loads[k]) k = c;
    loads[k] += d;
  }
  return Math.max(...loads);
}

/** A job whose speed depends on whether it shares the machine: its whole duration either way. */
export interface ContendedJob {
  /** duration when at least one other job runs at the same time */
  together: number;
  /** duration when it runs alone */
  alone: number;
}

/**
 * The makespan of the same longest-first list scheduling as `lptMakespan` (order by the
 * `together` duration), simulated event by event so that each job progresses at its `together`
 * speed while other jobs run and at its `alone` speed while it is the only one left: the tail of
 * a two-at-a-time plan (the last member finishing by itself) is not charged the contention it no
 * longer has. With together = alone it is exactly `lptMakespan`. Contention is measured with two
 * processes; with more cores it is assumed to be the same.
 */
export function contendedMakespan(jobs: readonly ContendedJob[], cores: number): number {
  checkCores(cores);
  if (jobs.length === 0) throw new KitError('contendedMakespan: no jobs to schedule (an empty list)', { hint: 'pass at least one job' });
  jobs.forEach((j, i) => {
    checkDuration(`job ${i} (together)`, j.together);
    checkDuration(`job ${i} (alone)`, j.alone);
  });
  const queue = [...jobs].sort((a, b) => b.together - a.together);
  /** running jobs and the fraction of their work still to do */
  let running: { job: ContendedJob; left: number }[] = [];
  let t = 0;
  for (;;) {
    while (running.length < cores && queue.length > 0) running.push({ job: queue.shift() as ContendedJob, left: 1 });
    if (running.length === 0) return t;
    const full = (j: ContendedJob) => (running.length >= 2 ? j.together : j.alone);
    const dt = Math.min(...running.map((r) => r.left * full(r.job)));
    t += dt;
    const first = running.findIndex((r) => r.left * full(r.job) === dt); // finishes exactly now (no rounding left over)
    running = running
      .map((r, i) => ({ job: r.job, left: i === first || full(r.job) === 0 ? 0 : r.left - dt / full(r.job) }))
      .filter((r) => r.left > 1e-12);
  }
}

const HOUR_MS = 3.6e6;

/** Hours with two decimals, and seconds too when that shows nothing (a tiny test zoo). */
export function formatHours(h: number, unit = 'h'): string {
  const text = `${h.toFixed(2)} ${unit}`;
  return h < 0.01 ? `${text} (${(h * 3600).toFixed(1)} s)` : text;
}

/**
 * The zoo's training time at its configured iterations under each strategy, on `cores` cores for
 * the two-at-a-time plan (2 on the machine this kit targets):
 *
 *   core-hours      sum of aloneMs x iterations: the work itself, whatever the plan;
 *   one at a time   the same sum as wall time (members in sequence, one core busy);
 *   two at a time   the longest-first schedule of the members over `cores` processes, each at its
 *                   pairMs speed while it shares the machine and at aloneMs once it is alone;
 *   data-parallel   sum of dataParallelMs x iterations (members in sequence, both cores on each).
 *
 * The choice is the smallest wall time (on a tie the simpler strategy, in the order above).
 */
export function zooTrainingTimes(rows: readonly MemberStepTimes[], cores = 2): ZooTrainingTimes {
  checkCores(cores);
  if (rows.length === 0) throw new KitError('zooTrainingTimes: no zoo members to plan', { hint: 'the experiment must list at least one zoo member' });
  for (const r of rows) {
    if (!Number.isInteger(r.iterations) || r.iterations < 1) throw new KitError(`zooTrainingTimes: ${r.id} has ${r.iterations} iterations, expected a positive integer`);
    checkDuration(`${r.id} aloneMs`, r.aloneMs);
    checkDuration(`${r.id} pairMs`, r.pairMs);
    checkDuration(`${r.id} dataParallelMs`, r.dataParallelMs);
  }
  const sum = (f: (r: MemberStepTimes) => number) => rows.reduce((s, r) => s + f(r) * r.iterations, 0) / HOUR_MS;
  const coreHours = sum((r) => r.aloneMs);
  const wallHours: Record<TrainingStrategy, number> = {
    'one-at-a-time': coreHours,
    'two-at-a-time': contendedMakespan(rows.map((r) => ({ together: r.pairMs * r.iterations, alone: r.aloneMs * r.iterations })), cores) / HOUR_MS,
    'data-parallel': sum((r) => r.dataParallelMs),
  };
  let choice: TrainingStrategy = TRAINING_STRATEGIES[0];
  for (const s of TRAINING_STRATEGIES) if (wallHours[s] < wallHours[choice]) choice = s;
  const others = TRAINING_STRATEGIES.filter((s) => s !== choice).map((s) => `${s} ${formatHours(wallHours[s])}`);
  const reason = `the smallest wall time: ${formatHours(wallHours[choice])}, against ${others.join(' and ')}`;
  return { cores, coreHours, wallHours, choice, reason };
}

/**
 * A collection job: "schedule in, record out". The schedule and the split of record `id` are pure
 * functions of (seed, id), so any process (a local worker today, a remote one via a queue later)
 * can run any job and the dataset is the same whatever order jobs finish in.
 */
import type { CollectionConfig } from '../config/index';
import { streamRng } from '../util/rng';
import { sampleRandomSchedule, scheduleEntries, type SolverName } from '../schedule/index';

export interface ScheduleJob { id: number; solver: SolverName; schedule: number[] }

/** What a random record's schedule is drawn from (a part of collection.*, so synthetic tests can give just these). */
export type ScheduleDrawSettings = Pick<CollectionConfig, 'ddimLength' | 'dpmSolverLength' | 'dirichletAlpha' | 'nullProbability' | 'seed'>;

export function scheduleLength(c: Pick<CollectionConfig, 'ddimLength' | 'dpmSolverLength'>, solver: SolverName): number {
  return solver === 'ddim' ? c.ddimLength : c.dpmSolverLength;
}

export function jobFor(c: ScheduleDrawSettings, solver: SolverName, numModels: number, timesteps: number, id: number): ScheduleJob {
  const s = sampleRandomSchedule(
    solver,
    { length: scheduleLength(c, solver), numModels, alpha: c.dirichletAlpha, nullProb: c.nullProbability, timesteps },
    streamRng(c.seed, 'random-schedule', solver, id),
  );
  return { id, solver, schedule: [...scheduleEntries(s)] };
}

/** Train/validation assignment of record `id`, drawn once from (splitSeed, id) and stored with the record. */
export function splitOf(c: Pick<CollectionConfig, 'splitSeed' | 'trainRatio'>, id: number): 'train' | 'validation' {
  return streamRng(c.splitSeed, 'split', id)() < c.trainRatio ? 'train' : 'validation';
}

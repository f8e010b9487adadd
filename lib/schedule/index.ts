/**
 * The model-schedule layer (method doc §3-§4): schedule types in the official integer-list form,
 * parsing and validation, NFE counts and the network evaluations a schedule implies (DDIM and
 * single-step DPM-Solver), time cost from measured latencies, the random-schedule distribution
 * of the schedule-FID dataset, and the lossless list <-> step-form codec.
 */
export { GROUP_SIZE, NULL_MODEL, SOLVERS, scheduleEntries } from './types';
export type { DdimSchedule, DdimStep, DpmSolverSchedule, DpmSolverStep, Evaluation, ModelSchedule, SolverName } from './types';

export { parseSolver, validateSchedule } from './validate';
export type { ValidateOptions } from './validate';

export { formatSchedule, parseEntries, parseSchedule } from './parse';
export type { ParseOptions } from './parse';

export { ddimSteps, dpmSolverEndTime, dpmSolverSteps, evaluations, nfe } from './evaluations';
export type { DpmSolverTimeOptions, EvaluationOptions } from './evaluations';

export { costBreakdown, latencyByModelIndex, readLatencyFile, scheduleCost } from './cost';
export type { CostItem, LatencyProfile } from './cost';

export {
  DEFAULT_RANDOM_LENGTH,
  packGroups,
  randomSchedules,
  sampleCategorical,
  sampleDirichlet,
  sampleGamma,
  sampleNormal,
  sampleRandomSchedule,
} from './random';
export type { RandomScheduleOptions } from './random';

export { decodeSchedule, encodeSchedule } from './codec';
export { samplerKey } from './sampler-key';
export type { DdimStepEntry, DpmSolverStepEntry, ScheduleSteps } from './codec';

/**
 * Two views of one schedule, convertible both ways without loss:
 *
 * - the official integer-list form (`ModelSchedule.entries`), what the dataset, the predictor and
 *   the search store: position-based, read from the end, DPM-Solver groups packed;
 * - the step form (`ScheduleSteps`): the steps in calling order, each with its models in calling
 *   order, plus where the step sits in the list (DDIM position, DPM-Solver group).
 *
 * `decodeSchedule` goes list -> steps, `encodeSchedule` steps -> list, and
 * encode(decode(s)) = s for every valid schedule s (and decode(encode(x)) = x for every valid x).
 */
import { KitError } from '../util/errors';
import { GROUP_SIZE, ModelSchedule, NULL_MODEL } from './types';
import { validateSchedule } from './validate';

/** One DDIM step: the model at a schedule position. */
export interface DdimStepEntry {
  position: number;
  model: number;
}

/** One DPM-Solver step: a group and its models in calling order (order = models.length). */
export interface DpmSolverStepEntry {
  group: number;
  models: number[];
}

export type ScheduleSteps =
  | { solver: 'ddim'; length: number; steps: DdimStepEntry[] }
  | { solver: 'dpm-solver'; length: number; steps: DpmSolverStepEntry[] };

/** The steps of a schedule in calling order (the schedule is assumed valid). */
export function decodeSchedule(schedule: ModelSchedule): ScheduleSteps {
  const e = schedule.entries;
  if (schedule.solver === 'ddim') {
    const steps: DdimStepEntry[] = [];
    for (let p = e.length - 1; p >= 0; p--) if (e[p] !== NULL_MODEL) steps.push({ position: p, model: e[p] });
    return { solver: 'ddim', length: e.length, steps };
  }
  const steps: DpmSolverStepEntry[] = [];
  for (let g = e.length / GROUP_SIZE - 1; g >= 0; g--) {
    const models: number[] = [];
    for (let j = GROUP_SIZE - 1; j >= 0; j--) if (e[g * GROUP_SIZE + j] !== NULL_MODEL) models.push(e[g * GROUP_SIZE + j]);
    if (models.length > 0) steps.push({ group: g, models });
  }
  return { solver: 'dpm-solver', length: e.length, steps };
}

/**
 * The official list of a step form. Steps may be given in any order but must not share a
 * position (group); models are >= 1 and a DPM-Solver step has 1..3 of them, in calling order.
 * The result is validated (`numModels` bounds the model indices, `timesteps` = T the DDIM length).
 */
export function encodeSchedule(form: ScheduleSteps, options: { numModels?: number; timesteps?: number } = {}): ModelSchedule {
  const entries = new Array<number>(form.length).fill(NULL_MODEL);
  const used = new Set<number>();
  if (form.solver === 'ddim') {
    for (const s of form.steps) {
      if (!Number.isInteger(s.position) || s.position < 0 || s.position >= form.length) {
        throw new KitError(`ddim step at position ${s.position}: position out of range 0..${form.length - 1}`, { hint: `the schedule has length ${form.length}` });
      }
      if (used.has(s.position)) throw new KitError(`ddim steps: position ${s.position} is given twice`, { hint: 'one model per position' });
      if (!Number.isInteger(s.model) || s.model < 1) {
        throw new KitError(`ddim step at position ${s.position}: model ${s.model} is not a model index >= 1`, { hint: 'leave a skipped position out instead of giving it model 0' });
      }
      used.add(s.position);
      entries[s.position] = s.model;
    }
  } else {
    const K = form.length / GROUP_SIZE;
    for (const s of form.steps) {
      if (!Number.isInteger(s.group) || s.group < 0 || s.group >= K) {
        throw new KitError(`dpm-solver step in group ${s.group}: group out of range 0..${K - 1}`, { hint: `the schedule has ${K} groups of ${GROUP_SIZE}` });
      }
      if (used.has(s.group)) throw new KitError(`dpm-solver steps: group ${s.group} is given twice`, { hint: 'one step per group' });
      if (s.models.length < 1 || s.models.length > GROUP_SIZE) {
        throw new KitError(`dpm-solver step in group ${s.group}: ${s.models.length} models; a step has 1, 2 or 3 (its order)`, { hint: 'leave an inactive group out' });
      }
      s.models.forEach((m, j) => {
        if (!Number.isInteger(m) || m < 1) {
          throw new KitError(`dpm-solver step in group ${s.group}, NFE ${j}: model ${m} is not a model index >= 1`, { hint: 'models of a step are 1..N' });
        }
      });
      used.add(s.group);
      // Calling order is the group's non-zero entries read backwards.
      const k = s.models.length;
      s.models.forEach((m, j) => {
        entries[s.group * GROUP_SIZE + (k - 1 - j)] = m;
      });
    }
  }
  return validateSchedule(form.solver, entries, options.numModels, undefined, { timesteps: options.timesteps });
}

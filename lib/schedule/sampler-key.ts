/**
 * Which schedules run the same sampler.
 *
 * DDIM: an active position p is the timestep p * floor(T / L), so every entry (and the length L)
 * says where and with which model the network runs: the key is the list itself.
 *
 * DPM-Solver: the groups only order the steps. With M active steps the outer times are uniform in
 * lambda over those M steps wherever the groups sit (evaluations.ts), and the end time depends on
 * the total NFE only, so two schedules with the same steps (each step's models in calling order) in
 * other groups call the same models at the same times: from the same noise they draw the same
 * samples and score the same FID. The key is the steps in calling order, the groups left out.
 *
 * The official encoding keeps such copies apart (the predictor and the search see positions); a
 * re-rank that scores real FIDs should not spend its slots on copies (front/oms-dpm-pick.ts).
 */
import { decodeSchedule, type DpmSolverStepEntry } from './codec';
import type { SolverName } from './types';

/** One string per sampler: equal for two schedules exactly when they run the same network calls at the same times. */
export function samplerKey(solver: SolverName, entries: readonly number[]): string {
  if (solver === 'ddim') return `ddim/${entries.length}:${entries.join(',')}`;
  const steps = decodeSchedule({ solver, entries }).steps as DpmSolverStepEntry[];
  return `dpm-solver:${steps.map((s) => s.models.join('.')).join('|')}`;
}

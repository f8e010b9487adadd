/**
 * Baseline (a): the best single model with the usual sampler settings at each budget. Every zoo
 * model runs every step, at every NFE of the grid and every setting of the front's solver:
 *
 *   ddim:       'ddim-uniform'   (timesteps i * floor(T / n): the DDIM code's uniform skip when n
 *                                 divides T, exactly n timesteps otherwise; see `ddimTimesteps`)
 *               'ddim-quadratic' (its quadratic skip, timesteps floor((i * sqrt(0.8 T) / (n - 1))^2))
 *   dpm-solver: 'dpm-solver-3', 'dpm-solver-2', 'dpm-solver-1': single-step DPM-Solver with the
 *               DPM-Solver code's order mix for a maximum order of 3, 2 or 1 (`singlestepOrders`,
 *               e.g. 10 NFE -> 3,3,3,1 / 2,2,2,2,2 / 1 x 10), logSNR-uniform steps.
 *
 * The baseline stays on the front's solver, so the comparison isolates the model schedule from the
 * choice of sampler. Each candidate is priced with `scheduleCost`; one scored at a small budget
 * serves every larger one (the FID cache in run-front.ts).
 */
import { ddimSingleModel } from '../evaluation/first-observation';
import { singlestepOrders } from '../samplers/dpm-solver';
import type { SolverName } from '../schedule/index';
import { candidate, ddimQuadraticSchedule, distinctCandidates, dpmSolverFromSteps, fitsBudget, quadraticSkipFits, type Candidate } from './candidate';
import { singleModelNfeGrid } from './settings';

export const SINGLE_MODEL_SETTINGS = {
  ddim: ['ddim-uniform', 'ddim-quadratic'],
  'dpm-solver': ['dpm-solver-3', 'dpm-solver-2', 'dpm-solver-1'],
} as const;
export type SingleModelSetting = (typeof SINGLE_MODEL_SETTINGS)[SolverName][number];

/** The schedule of `model` alone for `steps` NFEs with `setting` (T = `timesteps`). */
export function singleModelSchedule(setting: SingleModelSetting, model: number, steps: number, timesteps = 1000): number[] {
  switch (setting) {
    case 'ddim-uniform':
      return ddimSingleModel(model, steps);
    case 'ddim-quadratic':
      return ddimQuadraticSchedule(model, steps, timesteps);
    default: {
      const maxOrder = Number(setting.slice('dpm-solver-'.length));
      return dpmSolverFromSteps(singlestepOrders(steps, maxOrder, 'singlestep').map((k) => new Array<number>(k).fill(model)));
    }
  }
}

export interface SingleModelOptions {
  /** NFEs to try; default `singleModelNfeGrid` up to what `maxCost` affords each model */
  nfes?: readonly number[] | null;
  /** zoo ids for labels (model i + 1 = modelIds[i]) */
  modelIds: readonly string[];
  /** T, the discrete timesteps (DDIM lengths are at most T) */
  timesteps: number;
}

/**
 * Every single-model candidate of `solver` with cost <= `maxCost` (latency indexed by model), in
 * order of model, setting, NFE; repeats (e.g. the order-3 and order-2 mixes of 2 NFEs) once.
 */
export function singleModelCandidates(solver: SolverName, latency: readonly number[], maxCost: number, o: SingleModelOptions): Candidate[] {
  const out: Candidate[] = [];
  for (let m = 1; m < latency.length; m++) {
    const affordable = Math.floor(maxCost / latency[m] + 1e-9);
    const cap = solver === 'ddim' ? Math.min(affordable, o.timesteps) : affordable;
    const nfes = (o.nfes ?? singleModelNfeGrid(cap)).filter((n) => n <= cap);
    for (const setting of SINGLE_MODEL_SETTINGS[solver]) {
      for (const n of nfes) {
        // a quadratic skip that does not fit T: that setting has no such run (tested, not caught, so
        // any other failure, e.g. an invalid NFE, is reported)
        if (setting === 'ddim-quadratic' && !quadraticSkipFits(n, o.timesteps)) continue;
        const schedule = singleModelSchedule(setting, m, n, o.timesteps);
        const c = candidate(solver, schedule, latency, `${o.modelIds[m - 1] ?? `model ${m}`} alone, ${setting}, ${n} NFE`);
        if (fitsBudget(c.cost, maxCost)) out.push(c);
      }
    }
  }
  return distinctCandidates(out);
}

/**
 * Runs the first-observation measurements (first-observation.ts) for an experiment's zoo and keeps
 * them as figure data: single-model FID vs NFE per solver, and the small/large switch curves.
 * Every point is written atomically as soon as it is scored; a rerun skips the points already in
 * the file while the zoo, sampler and FID reference are the same (`samplingIdentity`; other config
 * changes keep them), so a kill loses at most the point in flight.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashOf } from '../config/index';
import { resultsDir } from '../zoo/workspace';
import { samplingIdentity } from './sampling-identity';
import type { ResolvedExperiment } from '../config/index';
import { writeJsonAtomic } from '../util/atomic-file';
import type { SolverName } from '../schedule/index';
import { ddimSingleModel, ddimSwitchAt, dpmSolverSingleModel } from './first-observation';
import { scoreSchedule, type FidContext, type ScoredSchedule } from './schedule-fid';
import { readJsonFile } from '../util/json-file';

export interface ObservationPoint extends ScoredSchedule {
  series: string;
  /** NFE for single-model curves, k for switch curves */
  x: number;
}

export interface ObservationPlan { singleNfe: { ddim: number[]; 'dpm-solver': number[] }; switchNfe: number }

export interface ObservationData {
  kind: 'oms-dpm-first-observation';
  experiment: string;
  /**
   * Engine tag of the run that last wrote the file ('onnxruntime-cpu', 'tfjs-wasm', ...); every
   * point also records its own `engine` (a resumed run may have scored earlier points on another).
   */
  engine?: string;
  /** the engine tags of the points, sorted (one entry unless runs on different engines were merged) */
  engines?: string[];
  /** the experiment config's hash when the file was last written (provenance) */
  configHash: string;
  /** hash of `samplingIdentity`: the points are reused while it is unchanged */
  samplingKey?: string;
  featureNetwork: string;
  images: number;
  points: ObservationPoint[];
  provenance?: unknown;
}

/** The plan of the experiment's `observation` config section. */
export function observationPlan(exp: ResolvedExperiment): ObservationPlan {
  const o = exp.config.observation;
  return { singleNfe: { ddim: [...o.ddimNfes], 'dpm-solver': [...o.dpmSolverNfes] }, switchNfe: o.switchNfe };
}

/** Where an experiment's observation data lives. */
export function observationFile(exp: ResolvedExperiment): string {
  return path.join(resultsDir(exp), 'observation-first.json');
}

export function plannedPoints(exp: ResolvedExperiment, plan: ObservationPlan): { series: string; x: number; solver: SolverName; entries: number[] }[] {
  const ids = exp.config.zoo.map((m) => m.id);
  const out: { series: string; x: number; solver: SolverName; entries: number[] }[] = [];
  ids.forEach((id, i) => {
    for (const n of plan.singleNfe.ddim) out.push({ series: `ddim/${id}`, x: n, solver: 'ddim', entries: ddimSingleModel(i + 1, n) });
    for (const n of plan.singleNfe['dpm-solver']) out.push({ series: `dpm-solver/${id}`, x: n, solver: 'dpm-solver', entries: dpmSolverSingleModel(i + 1, n) });
  });
  const small = 1;
  const large = ids.length;
  const n = plan.switchNfe;
  for (let k = 0; k <= n; k++) {
    out.push({ series: `ddim/${ids[small - 1]}-then-${ids[large - 1]}`, x: k, solver: 'ddim', entries: ddimSwitchAt(small, large, n, k) });
    out.push({ series: `ddim/${ids[large - 1]}-then-${ids[small - 1]}`, x: k, solver: 'ddim', entries: ddimSwitchAt(large, small, n, k) });
  }
  return out;
}

export async function runObservation(
  ctx: FidContext,
  file: string,
  plan: ObservationPlan,
  featureNetwork: string,
  provenance: unknown,
  onPoint?: (done: number, total: number, p: ObservationPoint) => void,
): Promise<ObservationData> {
  const exp = ctx.exp;
  const engines = (points: ObservationPoint[]) => [...new Set(points.map((p) => p.engine ?? 'unrecorded'))].sort();
  const samplingKey = hashOf(samplingIdentity(exp));
  let data: ObservationData = { kind: 'oms-dpm-first-observation', experiment: exp.config.name, engine: ctx.engine, engines: [], configHash: exp.hash, samplingKey, featureNetwork, images: exp.config.fid.images, points: [], provenance };
  if (fs.existsSync(file)) {
    const old = readJsonFile<ObservationData>(file, 'observation data');
    // files written before samplingKey existed were keyed on the whole config
    const same = old.samplingKey !== undefined ? old.samplingKey === samplingKey : old.configHash === exp.hash;
    if (same && old.featureNetwork === featureNetwork && old.images === data.images) data = { ...old, engine: ctx.engine, engines: engines(old.points), configHash: exp.hash, samplingKey, provenance };
  }
  const key = (s: string, x: number) => `${s}@${x}`;
  const done = new Set(data.points.map((p) => key(p.series, p.x)));
  const todo = plannedPoints(exp, plan);
  let count = done.size;
  for (const p of todo) {
    if (done.has(key(p.series, p.x))) continue;
    const scored = await scoreSchedule(ctx, p.solver, p.entries);
    const point: ObservationPoint = { ...scored, series: p.series, x: p.x };
    data.points.push(point);
    data.engines = engines(data.points);
    done.add(key(p.series, p.x));
    writeJsonAtomic(file, data);
    onPoint?.(++count, todo.length, point);
  }
  return data;
}

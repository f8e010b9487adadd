/**
 * One budget C of a front, looked at on its own (notebook 05): the default budget, the searched
 * schedule's re-rank on the selection images and the best single model at C, each reusing what the
 * committed front already computed and writing nothing. Both picks are chosen as the front chooses
 * them (choose-pick.ts), on the selection images (noise-bank images 0..selectionImages-1):
 *
 *   searched           the top rerankTopK of a search's final population by predicted score,
 *                      re-ranked by selection FID; FIDs come from the front's FID cache when it has
 *                      them (read only), else are computed here and not stored;
 *   best single model  at a budget of the front, its best-single-model point (chosen on the
 *                      selection images, reported on the held-out ones); at any other C, the best
 *                      of the single-model settings that fit C among those the front scored, by
 *                      their cached selection FIDs, saying how many that fit were never scored.
 */
import * as fs from 'node:fs';
import { scheduleLength } from '../collection/schedule-job';
import type { ResolvedExperiment } from '../config/index';
import { scoreSchedule, type FidContext } from '../evaluation/schedule-fid';
import type { SolverName } from '../schedule/index';
import type { SearchIndividual } from '../search/evolution';
import { experimentLatency } from '../search/experiment-search';
import { frontBudgets } from './budgets';
import { fitsBudget } from './candidate';
import { seriesOf, type FrontData, type FrontPoint, type FrontSeriesName } from './front-data';
import { frontFile } from './experiment-front';
import type { FrontScoreStore } from './score-store';
import { singleModelCandidates } from './single-model';

/** The experiment's front file for `solver` as stored (read only), or null when there is none. */
export function readFront(exp: ResolvedExperiment, solver: SolverName): FrontData | null {
  const file = frontFile(exp, solver);
  if (!fs.existsSync(file)) return null;
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as FrontData;
  return data.kind === 'oms-dpm-front' && data.version === 2 ? data : null;
}

/** `series`' point at `budget` on the front, or undefined. */
export function frontPointAt(front: FrontData, series: FrontSeriesName, budget: number): FrontPoint | undefined {
  return seriesOf(front, series)?.points.find((p) => p.budget === budget);
}

/**
 * The middle budget (the lower of two middles) of the committed front's grid; without a front
 * file, of the grid the front would use (`frontBudgets` over the latency table of `engine`).
 */
export function middleFrontBudget(exp: ResolvedExperiment, solver: SolverName, engine: string): number {
  const f = exp.config.front;
  const budgets = readFront(exp, solver)?.budgets ?? frontBudgets(experimentLatency(exp, engine), scheduleLength(exp.config.collection, solver), f.budgetCount, { low: f.lowNfe, high: f.highNfe });
  return budgets[Math.floor((budgets.length - 1) / 2)];
}

/** A searched schedule with its selection FID. */
export interface RerankedSchedule extends SearchIndividual {
  /** rank by predicted score in the final population (0 = best) */
  rank: number;
  selectionFid: number;
  /** true: the FID came from the front's FID cache; false: computed now */
  cached: boolean;
}

/**
 * `top` (a search's best by predicted score, in order) re-ranked by FID on the first `images`
 * noise-bank images, lowest first (ties: lower cost, then better predicted rank): FIDs from `cache`
 * where it holds them, else scored with `fid` (and not stored anywhere).
 */
export async function rerankOnSelection(top: readonly SearchIndividual[], o: { solver: SolverName; images: number; cache: FrontScoreStore | null; fid: FidContext }): Promise<RerankedSchedule[]> {
  const out: RerankedSchedule[] = [];
  for (const [rank, ind] of top.entries()) {
    const stored = o.cache?.get(o.solver, ind.schedule, o.images);
    const selectionFid = stored ? stored.fid : (await scoreSchedule(o.fid, o.solver, ind.schedule, o.images)).fid;
    out.push({ ...ind, rank, selectionFid, cached: stored !== undefined });
  }
  return out.sort((a, b) => a.selectionFid - b.selectionFid || a.cost - b.cost || a.rank - b.rank);
}

/** The best single model at a budget, and where that pick comes from. */
export interface SingleModelPick {
  /** 'front-point': the front's best-single-model point at this budget; 'front-scores': the best scored setting that fits */
  source: 'front-point' | 'front-scores';
  schedule: number[];
  label: string;
  cost: number;
  nfe: number;
  selectionFid: number;
  selectionImages: number;
  /** the held-out FID and its interval (front points only) */
  heldOut: { fid: number; low: number; high: number; images: number } | null;
  /** single-model settings of the front's grid that fit the budget; `unscored` of them the front never scored */
  candidates: number;
  unscored: number;
}

/**
 * The best single-model setting at `budget` (see the file comment): the front's point when
 * `budget` is one of its budgets, else the lowest cached selection FID among the settings of the
 * front's grid that fit. `{ why }` when there is none.
 */
export function bestSingleModelAt(front: FrontData, budget: number, timesteps: number, cache: FrontScoreStore | null): SingleModelPick | { why: string } {
  const images = front.selectionImages;
  if (front.budgets.includes(budget)) {
    const p = frontPointAt(front, 'best-single-model', budget);
    if (!p) return { why: front.empty.find((e) => e.series === 'best-single-model' && e.budget === budget)?.why ?? `the front has no best-single-model point at ${budget}` };
    const heldOut = { fid: p.fid, low: p.fidLow, high: p.fidHigh, images: p.images };
    return { source: 'front-point', schedule: p.schedule, label: p.label, cost: p.cost, nfe: p.nfe, selectionFid: p.selectionFid, selectionImages: p.selectionImages, heldOut, candidates: p.candidates, unscored: 0 };
  }
  const nfes = (front.settings.singleModelNfes as number[] | null | undefined) ?? null;
  // enumerated as the front enumerates them (for its largest budget), then those that fit
  const maxCost = Math.max(budget, ...front.budgets);
  const fitting = singleModelCandidates(front.solver, front.latency, maxCost, { nfes, modelIds: front.modelIds, timesteps }).filter((c) => fitsBudget(c.cost, budget));
  const scored = fitting.flatMap((c) => {
    const s = cache?.get(front.solver, c.schedule, images);
    return s ? [{ c, fid: s.fid }] : [];
  });
  if (scored.length === 0) return { why: `none of the ${fitting.length} single-model settings that fit ${budget} ms was scored by the front${cache ? '' : ' (no current FID cache)'}` };
  const best = scored.reduce((a, b) => (b.fid < a.fid || (b.fid === a.fid && b.c.cost < a.c.cost) ? b : a));
  const c = best.c;
  return { source: 'front-scores', schedule: c.schedule, label: c.label, cost: c.cost, nfe: c.nfe, selectionFid: best.fid, selectionImages: images, heldOut: null, candidates: fitting.length, unscored: fitting.length - scored.length };
}

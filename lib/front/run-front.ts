/**
 * Computes a front from its inputs (front-inputs.ts): for every budget (ascending) and every
 * series, the method's pick with cost <= C, chosen on the selection images (choose-pick.ts) and
 * reported on the held-out images with a bootstrap interval (held-out.ts); then, per budget,
 * OMS-DPM against each baseline in pairs on the same held-out images. Each point is written to the
 * front file (front-file.ts) as soon as it is known.
 *
 * Resumable at two levels: the FID cache (score-store.ts) keeps every selection FID and held-out
 * evaluation the moment it is computed, and the front file keeps every (series, budget) point; a
 * rerun with the same config hash skips the points it has and finds the FIDs of the others in the
 * cache.
 */
import * as fs from 'node:fs';
import { assertBudgetReachable, formatCost, latencyTable } from '../search/budget';
import { DEFAULT_SEARCH_SETTINGS } from '../search/settings';
import { writeJsonAtomic } from '../util/atomic-file';
import { KitError } from '../util/errors';
import { choosePick, EnumeratedCandidates } from './choose-pick';
import { FRONT_SERIES, type FrontData, type FrontPoint, type FrontSeriesName } from './front-data';
import { startFrontFile } from './front-file';
import type { FrontInputs } from './front-inputs';
import { FrontScoring } from './front-scoring';
import { heldOutFields, pairedComparisons } from './held-out';
import { checkFrontSettings } from './settings';
import { RunSpread } from './support-ensemble';

const pointAt = (data: FrontData, series: FrontSeriesName, budget: number) => data.series.find((s) => s.name === series)?.points.find((p) => p.budget === budget);

/** A series' point at a budget: chosen on the selection images, reported on the held-out ones (or why there is none). */
async function computePoint(run: FrontInputs, scoring: FrontScoring, enumerated: EnumeratedCandidates, series: FrontSeriesName, budget: number, spread: RunSpread): Promise<FrontPoint | { why: string }> {
  const choice = await choosePick(run, scoring, enumerated, series, budget, spread);
  if ('why' in choice) return choice;
  const { c } = choice;
  const held = await scoring.heldOutScore(c.solver, c.schedule, series, budget, c.label);
  return {
    budget, cost: c.cost, ...heldOutFields(held, run.heldOut.settings.level), selectionFid: choice.selectionFid, selectionImages: choice.selectionImages,
    nfe: c.nfe, schedule: [...c.schedule], label: c.label, candidates: choice.candidates, ...choice.extra,
  };
}

/** OMS-DPM against every other series with a point at `budget`, replacing that budget's comparisons. */
async function compareAt(run: FrontInputs, data: FrontData, scoring: FrontScoring, budget: number): Promise<void> {
  data.comparisons = data.comparisons.filter((x) => x.budget !== budget);
  const oms = pointAt(data, 'oms-dpm', budget);
  if (!oms) return;
  const held = (series: FrontSeriesName, p: FrontPoint) => scoring.heldOutScore(run.solver, p.schedule, series, budget, p.label);
  const baselines = await Promise.all(
    data.series.filter((s) => s.name !== 'oms-dpm').flatMap((s) => s.points.filter((p) => p.budget === budget).map(async (p) => ({ series: s.name, score: await held(s.name, p) }))),
  );
  data.comparisons.push(...pairedComparisons(budget, await held('oms-dpm', oms), baselines, run.heldOut.settings.level));
  data.comparisons.sort((a, b) => a.budget - b.budget || FRONT_SERIES.indexOf(a.baseline) - FRONT_SERIES.indexOf(b.baseline));
}

/** What a front run carries from budget to budget. */
interface FrontRunState {
  run: FrontInputs;
  data: FrontData;
  scoring: FrontScoring;
  enumerated: EnumeratedCandidates;
  spread: RunSpread;
  wanted: FrontSeriesName[];
  done: number;
  total: number;
}

const hasPoint = (data: FrontData, series: FrontSeriesName, budget: number) => pointAt(data, series, budget) !== undefined || data.empty.some((e) => e.series === series && e.budget === budget);

/**
 * The points of one budget: the series run together (the search on this process while the workers
 * score the baselines); their points are recorded in the fixed series order, each the moment it
 * and the ones before it are known. Then OMS-DPM against the baselines there.
 */
async function computeBudget(f: FrontRunState, budget: number): Promise<void> {
  const { run, data, scoring } = f;
  const todo = f.wanted.filter((series) => !hasPoint(data, series, budget));
  f.done += f.wanted.length - todo.length;
  const pending = todo.map((series) => computePoint(run, scoring, f.enumerated, series, budget, f.spread));
  // a later series that fails while an earlier one is awaited is reported by its own await below
  for (const p of pending) p.catch(() => undefined);
  for (let i = 0; i < todo.length; i++) {
    const series = todo[i];
    const r = await pending[i];
    const done = ++f.done;
    if ('why' in r) {
      data.empty.push({ series, budget, why: r.why });
      data.empty.sort((a, b) => a.budget - b.budget || FRONT_SERIES.indexOf(a.series) - FRONT_SERIES.indexOf(b.series));
      run.onEvent?.({ kind: 'point', series, budget, point: null, why: r.why, done, total: f.total });
    } else {
      const s = data.series.find((x) => x.name === series)!;
      s.points.push(r);
      s.points.sort((a, b) => a.budget - b.budget);
      run.onEvent?.({ kind: 'point', series, budget, point: r, done, total: f.total });
    }
    writeJsonAtomic(run.file, data);
  }
  await compareAt(run, data, scoring, budget);
  writeJsonAtomic(run.file, data);
}

export async function runFront(run: FrontInputs): Promise<FrontData> {
  checkFrontSettings(run.settings);
  if (run.budgets.length === 0) throw new KitError('no budgets to compute the front at', { hint: 'give --budgets or leave it out for the default grid' });
  const budgets = [...new Set(run.budgets)].sort((a, b) => a - b);
  const wanted = FRONT_SERIES.filter((s) => run.settings.series.includes(s));
  if (wanted.includes('oms-dpm') || wanted.includes('random')) {
    // The search and the random repair need the window [0.9 C, C] reachable at length L; say so before any work.
    const table = latencyTable(run.latency);
    for (const b of budgets) assertBudgetReachable(run.solver, run.length, table, b, DEFAULT_SEARCH_SETTINGS.repairTolerance);
  }
  const { data, store } = startFrontFile(run, budgets, wanted);
  const enumerated = new EnumeratedCandidates(run, budgets[budgets.length - 1]);
  const f: FrontRunState = { run, data, scoring: new FrontScoring(run, store), enumerated, spread: new RunSpread(run, () => enumerated.trainingRecords()), wanted, done: 0, total: budgets.length * wanted.length };
  try {
    // The support ensemble first, when OMS-DPM has points to compute: its members train while the
    // scoring workers have nothing to do, so they get the cores.
    if (wanted.includes('oms-dpm') && budgets.some((b) => !hasPoint(data, 'oms-dpm', b))) await f.spread.get();
    for (const budget of budgets) await computeBudget(f, budget);
  } finally {
    await f.spread.release();
  }
  if (!fs.existsSync(run.file)) writeJsonAtomic(run.file, data); // everything was already known
  return data;
}

/** A point as one progress line. */
export function describePoint(p: FrontPoint): string {
  return `held-out FID ${p.fid.toFixed(2)} [${p.fidLow.toFixed(2)}, ${p.fidHigh.toFixed(2)}] (selection ${p.selectionFid.toFixed(2)}) at cost ${formatCost(p.cost)} ms, ${p.nfe} NFE (${p.label})`;
}

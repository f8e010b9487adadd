/**
 * Runs a front: for every budget (ascending) and every series, the method's pick with cost <= C and
 * its real FID, written to the front file as soon as it is known.
 *
 *   oms-dpm               the predictor-based search at C (search/experiment-search.ts), then the
 *                         top rerankTopK of its final population re-scored with real FID; the point
 *                         is the re-ranked best. This is runSearch's re-rank step done through the
 *                         front's FID cache; its extra re-evaluation of the winner on
 *                         search.finalImages is left out, so every series is on the same images.
 *   best-single-model     single-model.ts      best-in-training-set   training-set.ts
 *   random                random-baseline.ts   two-segment            two-segment.ts
 *
 * Every FID is on search.rerankImages images of the fixed noise bank (images 0..n-1, paired across
 * schedules); the one exception is a training-set pick reported with its recorded FID
 * (`rescoreTrainingBest: false`). Picking the best of several candidates on the images it is then
 * reported on favours every series alike (search re-rank, best-of-n, best setting).
 *
 * Resumable at two levels: the FID cache (score-store.ts) keeps every FID the moment it is
 * computed, and the front file keeps every (series, budget) point; a rerun with the same config
 * hash skips the points it has and finds the FIDs of the others in the cache.
 */
import * as fs from 'node:fs';
import type { ScheduleRecord } from '../collection/dataset-file';
import { assertBudgetReachable, formatCost, latencyTable } from '../search/budget';
import { DEFAULT_SEARCH_SETTINGS } from '../search/settings';
import { writeJsonAtomic } from '../util/atomic-file';
import { KitError } from '../util/errors';
import { budgetText } from './budgets';
import { candidate, candidateKey, fitsBudget, type Candidate } from './candidate';
import { FRONT_SERIES, type EmptyPoint, type FrontData, type FrontPoint, type FrontSeriesName } from './front-data';
import { freshData, frontConfigHash, loadFront, type FrontRun } from './front-run';
import { randomBaselineSchedules } from './random-baseline';
import { FrontScoreStore } from './score-store';
import { checkFrontSettings } from './settings';
import { singleModelCandidates } from './single-model';
import { bestTrainingRecord } from './training-set';
import { twoSegmentCandidates } from './two-segment';

/** Lowest FID, then lower cost, then earlier. */
function bestOf<T extends { fid: number; c: Candidate }>(xs: readonly T[]): T {
  return xs.reduce((a, b) => (b.fid < a.fid || (b.fid === a.fid && b.c.cost < a.c.cost) ? b : a));
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export async function runFront(run: FrontRun): Promise<FrontData> {
  checkFrontSettings(run.settings);
  if (run.budgets.length === 0) throw new KitError('no budgets to compute the front at', { hint: 'give --budgets or leave it out for the default grid' });
  const budgets = [...new Set(run.budgets)].sort((a, b) => a - b);
  const wanted = FRONT_SERIES.filter((s) => run.settings.series.includes(s));
  if (wanted.includes('oms-dpm') || wanted.includes('random')) {
    // The search and the random repair need the window [0.9 C, C] reachable at length L; say so before any work.
    const table = latencyTable(run.latency);
    for (const b of budgets) assertBudgetReachable(run.solver, run.length, table, b, DEFAULT_SEARCH_SETTINGS.repairTolerance);
  }

  const configHash = frontConfigHash(run);
  const loaded = loadFront(run.file, configHash);
  const data = loaded.data ? { ...loaded.data, provenance: run.provenance, settings: freshData(run, configHash).settings } : freshData(run, configHash);
  if (loaded.why) run.onEvent?.({ kind: 'reset', why: loaded.why });
  const store = FrontScoreStore.open(run.scoresFile, run.scoreIdentity);
  if (store.reset) run.onEvent?.({ kind: 'reset', why: `${run.scoresFile} holds FIDs of another zoo, sampler, FID reference or engine; started again` });
  if (loaded.data) run.onEvent?.({ kind: 'resume', points: data.series.reduce((n, s) => n + s.points.length, 0) + data.empty.length, scores: store.size });

  for (const name of wanted) if (!data.series.some((s) => s.name === name)) data.series.push({ name, points: [] });
  data.series.sort((a, b) => FRONT_SERIES.indexOf(a.name) - FRONT_SERIES.indexOf(b.name));
  data.budgets = [...new Set([...data.budgets, ...budgets])].sort((a, b) => a - b);

  const has = (series: FrontSeriesName, budget: number) =>
    data.series.some((s) => s.name === series && s.points.some((p) => p.budget === budget)) || data.empty.some((e) => e.series === series && e.budget === budget);

  // Candidates of one series are scored concurrently (a pool scorer spreads them over the cores);
  // a schedule already being scored for another series or budget waits for that FID instead of
  // sampling it twice.
  const inFlight = new Map<string, Promise<number>>();
  const scoreOf = (c: Candidate, series: FrontSeriesName, budget: number): Promise<number> => {
    const hit = store.get(c.solver, c.schedule, run.images);
    if (hit) return Promise.resolve(hit.fid);
    const k = candidateKey(c.solver, c.schedule);
    let p = inFlight.get(k);
    if (!p) {
      p = run.score(c.solver, c.schedule, run.images).then((r) => {
        store.put({ solver: c.solver, schedule: [...c.schedule], images: r.images, fid: r.fid, engine: r.engine, seconds: r.seconds });
        run.onEvent?.({ kind: 'score', series, budget, label: c.label, cost: c.cost, nfe: c.nfe, fid: r.fid, seconds: r.seconds });
        return r.fid;
      });
      inFlight.set(k, p);
      void p.then(
        () => inFlight.delete(k),
        () => inFlight.delete(k),
      );
    }
    return p;
  };
  const scoreAll = (cs: readonly Candidate[], series: FrontSeriesName, budget: number) =>
    Promise.all(cs.map(async (c) => ({ c, fid: await scoreOf(c, series, budget) })));
  const pointOf = (budget: number, c: Candidate, fid: number, candidates: number, extra: Partial<FrontPoint> = {}): FrontPoint => ({
    budget, cost: c.cost, fid, nfe: c.nfe, schedule: [...c.schedule], images: run.images, label: c.label, candidates, ...extra,
  });

  // The enumerated baselines, made once for the largest budget and filtered per budget.
  const maxBudget = budgets[budgets.length - 1];
  let singles: Candidate[] | null = null;
  let pairs: Candidate[] | null = null;
  let records: ScheduleRecord[] | null = null;
  const enumerated = (series: 'best-single-model' | 'two-segment'): Candidate[] => {
    const common = { modelIds: run.modelIds, timesteps: run.timesteps };
    if (series === 'best-single-model') return (singles ??= singleModelCandidates(run.solver, run.latency, maxBudget, { ...common, nfes: run.settings.singleModelNfes }));
    return (pairs ??= twoSegmentCandidates(run.solver, run.latency, maxBudget, { ...common, nfes: run.settings.twoSegmentNfes, fractions: run.settings.splitFractions }));
  };

  const compute = async (series: FrontSeriesName, budget: number): Promise<FrontPoint | { why: string }> => {
    switch (series) {
      case 'oms-dpm': {
        const t0 = Date.now();
        const population = await run.search(budget);
        run.onEvent?.({ kind: 'search', budget, seconds: (Date.now() - t0) / 1000, population: population.length });
        const top = population.slice(0, run.rerankTopK).map((ind, rank) => ({ ind, rank, c: candidate(run.solver, ind.schedule, run.latency, `searched (best FID of the top ${Math.min(run.rerankTopK, population.length)} by predicted score)`) }));
        if (top.length === 0) return { why: 'the search returned no schedule' };
        const scored = await Promise.all(top.map(async (t) => ({ c: t.c, fid: await scoreOf(t.c, series, budget), rank: t.rank, predicted: t.ind.score })));
        const best = bestOf(scored);
        return pointOf(budget, best.c, best.fid, top.length, { predicted: best.predicted, predictedRank: best.rank });
      }
      case 'best-single-model':
      case 'two-segment': {
        const fitting = enumerated(series).filter((c) => fitsBudget(c.cost, budget));
        if (fitting.length === 0) return { why: `no ${series === 'two-segment' ? 'two-segment schedule' : 'single-model setting'} of the grid costs <= ${budgetText(budget)}` };
        const best = bestOf(await scoreAll(fitting, series, budget));
        return pointOf(budget, best.c, best.fid, fitting.length);
      }
      case 'best-in-training-set': {
        records ??= run.trainingRecords();
        const pick = bestTrainingRecord(records, run.latency, budget);
        if (!pick) return { why: `none of the ${records.filter((r) => r.split === 'train').length} training records costs <= ${budgetText(budget)}` };
        const r = pick.record;
        const c = candidate(run.solver, r.schedule, run.latency, `training record ${r.id} (lowest recorded FID of ${pick.fitting} that fit)`);
        const recorded = { recordId: r.id, recordedFid: r.fid, recordedImages: r.images };
        if (!run.settings.rescoreTrainingBest) return pointOf(budget, c, r.fid, pick.fitting, { ...recorded, images: r.images });
        return pointOf(budget, c, await scoreOf(c, series, budget), pick.fitting, recorded);
      }
      case 'random': {
        const schedules = randomBaselineSchedules({
          solver: run.solver, length: run.length, latency: run.latency, budget, count: run.settings.randomCount, seed: run.settings.seed,
          alpha: run.randomDistribution.alpha, nullProb: run.randomDistribution.nullProb, timesteps: run.timesteps,
        });
        const scored = await scoreAll(schedules.map((s, i) => candidate(run.solver, s, run.latency, `random draw ${i} of ${schedules.length}, repaired into [0.9 C, C]`)), series, budget);
        const best = bestOf(scored);
        return pointOf(budget, best.c, best.fid, scored.length, { meanFid: mean(scored.map((s) => s.fid)), meanCost: mean(scored.map((s) => s.c.cost)), fids: scored.map((s) => s.fid) });
      }
    }
  };

  const total = budgets.length * wanted.length;
  let done = 0;
  for (const budget of budgets) {
    // The series of one budget run together (the search on this process while the workers score
    // the baselines); their points are recorded in the fixed series order, each the moment it and
    // the ones before it are known.
    const todo = wanted.filter((series) => !has(series, budget));
    done += wanted.length - todo.length;
    const pending = todo.map((series) => compute(series, budget));
    // a later series that fails while an earlier one is awaited is reported by its own await below
    for (const p of pending) p.catch(() => undefined);
    for (let i = 0; i < todo.length; i++) {
      const series = todo[i];
      const r = await pending[i];
      done++;
      if ('why' in r) {
        const e: EmptyPoint = { series, budget, why: r.why };
        data.empty.push(e);
        data.empty.sort((a, b) => a.budget - b.budget || FRONT_SERIES.indexOf(a.series) - FRONT_SERIES.indexOf(b.series));
        run.onEvent?.({ kind: 'point', series, budget, point: null, why: r.why, done, total });
      } else {
        const s = data.series.find((x) => x.name === series)!;
        s.points.push(r);
        s.points.sort((a, b) => a.budget - b.budget);
        run.onEvent?.({ kind: 'point', series, budget, point: r, done, total });
      }
      writeJsonAtomic(run.file, data);
    }
  }
  if (!fs.existsSync(run.file)) writeJsonAtomic(run.file, data); // everything was already known
  return data;
}

/** A point as one progress line. */
export function describePoint(p: FrontPoint): string {
  return `FID ${p.fid.toFixed(2)} at cost ${formatCost(p.cost)} ms, ${p.nfe} NFE (${p.label})`;
}

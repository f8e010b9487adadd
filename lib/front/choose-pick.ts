/**
 * How each series of a front chooses its pick at a budget C, on the selection images:
 *
 *   oms-dpm               the predictor-based search at C (search/experiment-search.ts), then the
 *                         top rerankTopK of its final population, the best predicted inside the
 *                         records' support (with the ensemble spread: support-ensemble.ts) and the
 *                         best training records re-scored with real FID;
 *                         the pick is the re-ranked best (oms-dpm-pick.ts, through the front's FID cache)
 *   best-single-model     single-model.ts: the best of the single-model settings that fit
 *   best-in-training-set  training-set.ts: the lowest recorded FID among the training records that fit
 *   random                random-baseline.ts: the best of n repaired random schedules
 *   two-segment           two-segment.ts: the best two-segment schedule that fits
 *
 * Picking the best of several candidates on the images it is scored on favours every series, by as
 * much as it compares candidates; that is why the pick is then reported on held-out images.
 */
import type { ScheduleRecord } from '../collection/dataset-file';
import { budgetText } from './budgets';
import { candidate, fitsBudget, type Candidate } from './candidate';
import type { FrontPoint, FrontSeriesName } from './front-data';
import type { FrontInputs } from './front-inputs';
import type { FrontScoring } from './front-scoring';
import { randomBaselineSchedules } from './random-baseline';
import { singleModelCandidates } from './single-model';
import { bestTrainingRecord } from './training-set';
import { omsDpmPick } from './oms-dpm-pick';
import type { RunSpread } from './support-ensemble';
import { twoSegmentCandidates } from './two-segment';

/** A series' pick at a budget, as chosen on the selection images. */
export interface Choice {
  c: Candidate;
  selectionFid: number;
  selectionImages: number;
  /** candidates that fit the budget and were compared */
  candidates: number;
  /** series-specific fields of the point */
  extra: Partial<FrontPoint>;
}

/** Nothing of the series fits the budget, and why. */
export interface NoChoice {
  why: string;
}

/** Lowest FID, then lower cost, then earlier. */
function bestOf<T extends { fid: number; c: Candidate }>(xs: readonly T[]): T {
  return xs.reduce((a, b) => (b.fid < a.fid || (b.fid === a.fid && b.c.cost < a.c.cost) ? b : a));
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The enumerated baselines' candidates, made once for the largest budget and filtered per budget. */
export class EnumeratedCandidates {
  private singles: Candidate[] | null = null;
  private pairs: Candidate[] | null = null;
  private records: ScheduleRecord[] | null = null;

  constructor(private readonly run: FrontInputs, private readonly maxBudget: number) {}

  of(series: 'best-single-model' | 'two-segment'): Candidate[] {
    const run = this.run;
    const common = { modelIds: run.modelIds, timesteps: run.timesteps };
    if (series === 'best-single-model') return (this.singles ??= singleModelCandidates(run.solver, run.latency, this.maxBudget, { ...common, nfes: run.settings.singleModelNfes }));
    return (this.pairs ??= twoSegmentCandidates(run.solver, run.latency, this.maxBudget, { ...common, nfes: run.settings.twoSegmentNfes, fractions: run.settings.splitFractions }));
  }

  trainingRecords(): ScheduleRecord[] {
    return (this.records ??= this.run.trainingRecords());
  }
}

/** `spread`: the run's ensemble spread for OMS-DPM's re-rank (support-ensemble.ts); none: NFE range and model mix only. */
export async function choosePick(run: FrontInputs, scoring: FrontScoring, enumerated: EnumeratedCandidates, series: FrontSeriesName, budget: number, spread?: RunSpread): Promise<Choice | NoChoice> {
  const scoreAll = (cs: readonly Candidate[]) => Promise.all(cs.map(async (c) => ({ c, fid: await scoring.selectionFid(c, series, budget) })));
  const chosen = (best: { c: Candidate; fid: number }, candidates: number, extra: Partial<FrontPoint> = {}): Choice => ({ c: best.c, selectionFid: best.fid, selectionImages: run.images, candidates, extra });
  switch (series) {
    case 'oms-dpm': {
      const t0 = Date.now();
      const population = await run.search(budget);
      run.onEvent?.({ kind: 'search', budget, seconds: (Date.now() - t0) / 1000, population: population.length });
      const records = run.settings.rerankRecords > 0 || run.settings.rerankTrusted > 0 ? enumerated.trainingRecords() : [];
      const pick = await omsDpmPick(run, scoring, population, records, budget, (await spread?.get()) ?? null);
      return 'why' in pick ? pick : chosen({ c: pick.c, fid: pick.fid }, pick.candidates, pick.extra);
    }
    case 'best-single-model':
    case 'two-segment': {
      const fitting = enumerated.of(series).filter((c) => fitsBudget(c.cost, budget));
      if (fitting.length === 0) return { why: `no ${series === 'two-segment' ? 'two-segment schedule' : 'single-model setting'} of the grid costs <= ${budgetText(budget)}` };
      return chosen(bestOf(await scoreAll(fitting)), fitting.length);
    }
    case 'best-in-training-set': {
      const records = enumerated.trainingRecords();
      const pick = bestTrainingRecord(records, run.latency, budget);
      if (!pick) return { why: `none of the ${records.filter((r) => r.split === 'train').length} training records costs <= ${budgetText(budget)}` };
      const r = pick.record;
      const c = candidate(run.solver, r.schedule, run.latency, `training record ${r.id} (lowest recorded FID of ${pick.fitting} that fit)`);
      const recorded = { recordId: r.id, recordedFid: r.fid, recordedImages: r.images };
      // chosen by its recorded FID (the collection's images, inside the selection images)
      if (!run.settings.rescoreTrainingBest) return { c, selectionFid: r.fid, selectionImages: r.images, candidates: pick.fitting, extra: recorded };
      return chosen({ c, fid: await scoring.selectionFid(c, series, budget) }, pick.fitting, recorded);
    }
    case 'random': {
      const schedules = randomBaselineSchedules({
        solver: run.solver, length: run.length, latency: run.latency, budget, count: run.settings.randomCount, seed: run.settings.seed,
        alpha: run.randomDistribution.alpha, nullProb: run.randomDistribution.nullProb, timesteps: run.timesteps,
      });
      if (schedules.length === 0) return { why: `none of ${run.settings.randomCount} random draws could be repaired into [0.9 C, C] at ${budgetText(budget)} (the window is narrower than the latency steps)` };
      const scored = await scoreAll(schedules.map((s, i) => candidate(run.solver, s, run.latency, `random draw ${i} of ${schedules.length}, repaired into [0.9 C, C]`)));
      const fids = scored.map((s) => s.fid);
      return chosen(bestOf(scored), scored.length, { selectionMeanFid: mean(fids), meanCost: mean(scored.map((s) => s.c.cost)), selectionFids: fids });
    }
  }
}

/**
 * OMS-DPM's pick at a budget C: the search's final population re-ranked with real FID on the
 * selection images (method doc §6), with the re-rank set widened where the predictor guesses.
 *
 *   predicted  the top rerankTopK of the population by predicted score (the official re-rank);
 *   trusted    the best-predicted members beyond those that lie inside the training records'
 *              support (record-support.ts: NFE in the records' range, model mix as near to a record
 *              as records are to each other and, with front.supportEnsemble, an ensemble spread no
 *              larger than on the validation records: ensemble-spread.ts), up to
 *              front.rerankTrusted of them: the predictor's ranking is measured there;
 *   record     the training records with the lowest recorded FID that fit C, up to
 *              front.rerankRecords: schedules whose FID was measured, not predicted.
 *
 * Each slot goes to a distinct sampler: a DPM-Solver schedule in other groups is the same sampler
 * (schedule/sampler-key.ts), so the search's population can hold several copies of its best, and
 * the top rerankTopK are the k best-predicted distinct samplers, each at its first rank.
 * The pick is the lowest selection FID of the set (ties: cheaper, then earlier in this order).
 * Every candidate, with its reason and its support, is stored with the point, so the front table
 * says which were re-ranked and why the pick won. With rerankTrusted = rerankRecords = 0 this is
 * the official re-rank.
 */
import type { ScheduleRecord } from '../collection/dataset-file';
import { samplerKey, scheduleCost } from '../schedule/index';
import type { SearchIndividual } from '../search/evolution';
import { candidate, fitsBudget, type Candidate } from './candidate';
import type { FrontPoint, RerankedCandidate } from './front-data';
import type { FrontInputs } from './front-inputs';
import type { FrontScoring } from './front-scoring';
import type { EnsembleSpread, SpreadLookup } from './ensemble-spread';
import { describeSupport, RecordSupport, withSpread, type Support } from './record-support';

interface Entry { c: Candidate; reason: RerankedCandidate['reason']; why: string; predicted: number | null; predictedRank: number | null; recordId: number | null; inside: boolean | null; support: Support | null }

/** How far a schedule lies from the training records (null: fewer than 2), with the ensemble spread when there is one. */
function supportOf(train: readonly ScheduleRecord[], numModels: number, spread: SpreadLookup | null): ((schedule: readonly number[]) => Support) | null {
  if (train.length < 2) return null;
  const support = new RecordSupport(train.map((r) => r.schedule), numModels);
  return (schedule) => {
    const s = support.describe(schedule);
    return spread ? withSpread(s, spread.of(schedule), spread.threshold) : s;
  };
}

/**
 * The re-rank set at `budget` (see the file comment), in order, one schedule per sampler. `spread`: the
 * ensemble spread of every schedule of `population` and every training record (none: NFE range
 * and model mix only).
 */
export function rerankSet(run: FrontInputs, population: readonly SearchIndividual[], records: readonly ScheduleRecord[], budget: number, spread: SpreadLookup | null = null): Entry[] {
  const train = records.filter((r) => r.split === 'train');
  const describe = supportOf(train, run.modelIds.length, spread);
  const seen = new Set<string>();
  const out: Entry[] = [];
  /** Adds `schedule` unless its sampler is in the set already; says whether it did. */
  const add = (schedule: readonly number[], e: Omit<Entry, 'c' | 'inside' | 'support'>): boolean => {
    const key = samplerKey(run.solver, schedule);
    if (seen.has(key)) return false;
    seen.add(key);
    const s = describe?.(schedule) ?? null;
    out.push({ ...e, c: candidate(run.solver, [...schedule], run.latency, e.why), why: s ? `${e.why}; ${describeSupport(s)}` : e.why, inside: s?.inside ?? null, support: s });
    return true;
  };
  /** Offers `items` in order until `n` of them were added. */
  const addUpTo = <T>(n: number, items: readonly T[], offer: (x: T) => boolean) => {
    let added = 0;
    for (const x of items) if (added < n && offer(x)) added++;
  };
  const ranked = population.map((ind, rank) => ({ ind, rank }));
  addUpTo(run.rerankTopK, ranked, ({ ind, rank }) =>
    add(ind.schedule, { reason: 'predicted', why: `predicted rank ${rank + 1} of the search`, predicted: ind.score, predictedRank: rank, recordId: null }));
  if (describe) {
    addUpTo(run.settings.rerankTrusted, ranked, ({ ind, rank }) =>
      describe(ind.schedule).inside && add(ind.schedule, { reason: 'trusted', why: `best predicted inside the records' support (rank ${rank + 1})`, predicted: ind.score, predictedRank: rank, recordId: null }));
  }
  const fitting = train
    .map((r) => ({ r, cost: scheduleCost(r.schedule, run.latency) }))
    .filter((x) => fitsBudget(x.cost, budget))
    .sort((a, b) => a.r.fid - b.r.fid || a.cost - b.cost || a.r.id - b.r.id);
  addUpTo(run.settings.rerankRecords, fitting, ({ r }) =>
    add(r.schedule, { reason: 'record', why: `training record ${r.id} (recorded FID ${r.fid.toFixed(2)} on ${r.images} images)`, predicted: null, predictedRank: null, recordId: r.id }));
  return out;
}

/**
 * The pick of the re-rank set on the selection images, and the point fields that say how it was
 * chosen. `spread`: the run's ensemble spread (support-ensemble.ts), or null.
 */
export async function omsDpmPick(
  run: FrontInputs,
  scoring: FrontScoring,
  population: readonly SearchIndividual[],
  records: readonly ScheduleRecord[],
  budget: number,
  spread: EnsembleSpread | null = null,
): Promise<{ c: Candidate; fid: number; candidates: number; extra: Partial<FrontPoint> } | { why: string }> {
  const lookup = spread && records.some((r) => r.split === 'train') ? await spread.lookup(population.map((ind) => ind.schedule)) : null;
  const set = rerankSet(run, population, records, budget, lookup);
  if (set.length === 0) return { why: 'the search returned no schedule and no training record fits' };
  const scored = await Promise.all(set.map(async (e) => ({ e, fid: await scoring.selectionFid(e.c, 'oms-dpm', budget) })));
  const best = scored.reduce((a, b) => (b.fid < a.fid || (b.fid === a.fid && b.e.c.cost < a.e.c.cost) ? b : a));
  const reranked: RerankedCandidate[] = scored.map(({ e, fid }) => ({
    reason: e.reason, why: e.why, schedule: [...e.c.schedule], cost: e.c.cost, nfe: e.c.nfe, selectionFid: fid, predicted: e.predicted, insideSupport: e.inside,
    ...(e.support?.spread !== undefined ? { spread: e.support.spread, spreadThreshold: e.support.spreadThreshold } : {}),
    ...(e.recordId !== null ? { recordId: e.recordId } : {}),
  }));
  const c = { ...best.e.c, label: `re-ranked pick: ${best.e.why}` };
  const extra: Partial<FrontPoint> = { reranked, pickReason: best.e.reason, ...(best.e.predicted !== null ? { predicted: best.e.predicted, predictedRank: best.e.predictedRank! } : {}) };
  return { c, fid: best.fid, candidates: set.length, extra };
}

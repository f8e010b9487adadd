/**
 * The collection study (issue 19, item 4): does active collection (lib/active/) buy the front
 * quality of random collection with fewer FID evaluations?
 *
 * For each strategy (random, active) and each number n of training records, a predictor is trained
 * on that part of the strategy's dataset (record-subset.ts: the first n training records and every
 * validation record), exactly as the experiment's own predictor is (predictor.* settings, the
 * checkpoint chosen on a selection part of the n records, tau measured once on the fixed
 * validation records), and the experiment's front is computed with it on the committed front's
 * budget grid. Each point's front judges the records' support as the experiment's front does
 * (front.supportEnsemble: an ensemble trained on the same part of the dataset, kept in the point's
 * folder), so the comparison stays fair. Per point the study reports the validation tau and the
 * front's held-out quality: at each budget the paired held-out difference FID(OMS-DPM's pick) -
 * FID(best record-free baseline), the baseline being the best of best-single-model, random and
 * two-segment at that budget (what a user gets without any records, so the yardstick is the same
 * at every n), and the mean of those differences over the budgets with its interval
 * (mean-difference.ts).
 *
 * Where things go:
 *   runs/<experiment>/collection-study/<solver>/front-scores.jsonl   one FID cache for all points,
 *       started as a copy of the experiment front's cache (the baselines' FIDs are reused)
 *   runs/<experiment>/collection-study/<solver>/<strategy>-<n>/      the part of the dataset, its
 *       predictor (predictor/), its support ensemble (support-ensemble/) and its front (front.json)
 *   results/<experiment>/collection-study-<solver>.json                the study, rewritten after each point
 *
 * Resumable: a predictor that is current is reused (predictorStaleness), so is a support ensemble
 * (support-ensemble.ts), and a front continues from its file and the shared cache, so a rerun
 * redoes only what is missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetFile, type CollectionStrategy } from '../collection/collect';
import { readDataset, type DatasetContents, type DatasetHeader, type ScheduleRecord } from '../collection/dataset-file';
import { splitOf } from '../collection/schedule-job';
import type { ResolvedExperiment } from '../config/index';
import { experimentFrontInputs, experimentFrontSettings, frontFile, frontScoresFile, type ExperimentFrontOptions, type FrontPlace } from '../front/experiment-front';
import type { FrontData, FrontPoint, FrontSeriesName, PairedComparison } from '../front/front-data';
import { heldOutSettings } from '../front/held-out';
import { runFront } from '../front/run-front';
import { FrontScoreStore, type HeldOutScore } from '../front/score-store';
import type { PairedVerdict } from '../metrics/fid-bootstrap';
import { ensureExperimentPredictor, type PredictorPlace, type PredictorRunResult, type PredictorTaus } from '../predictor/experiment-predictor';
import type { SolverName } from '../schedule/index';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-file';
import { KitError } from '../util/errors';
import { resultsDir, runsDir } from '../zoo/workspace';
import { meanPairedDifference, type HeldOutPair } from './mean-difference';
import { checkStudyRecords, defaultStudyRecords, minimumTrainingRecords, studySubset } from './record-subset';
import { studyVerdict, type StudyVerdict } from './study-verdict';

/** The baselines that use no records: the yardstick of every point. */
export const RECORD_FREE_BASELINES: readonly FrontSeriesName[] = ['best-single-model', 'random', 'two-segment'];
export const STUDY_STRATEGIES: readonly CollectionStrategy[] = ['random', 'active'];

/** OMS-DPM's pick at one budget of a point's front, against the best record-free baseline there. */
export interface StudyBudget {
  budget: number;
  pick: Pick<FrontPoint, 'cost' | 'nfe' | 'fid' | 'fidLow' | 'fidHigh' | 'schedule' | 'pickReason'>;
  /** the best record-free baseline at this budget (lowest held-out FID) */
  baseline: FrontSeriesName;
  baselineFid: number;
  /** FID(pick) - FID(baseline) on the held-out images, with its interval and verdict */
  difference: number;
  low: number;
  high: number;
  verdict: PairedVerdict;
}

export interface StudyPoint {
  strategy: CollectionStrategy;
  /** training-split records the predictor had (fit + selection) */
  trainingRecords: number;
  records: { train: number; selection: number; validation: number };
  kendallTau: PredictorTaus;
  chosenEpoch: number | null;
  budgets: StudyBudget[];
  /** mean over the budgets of `difference`, with its paired bootstrap interval (negative = OMS-DPM better) */
  meanDifference: { value: number; low: number; high: number };
  /** verdicts against the best record-free baseline, over the budgets */
  verdicts: Record<PairedVerdict, number>;
  /** OMS-DPM against each record-free baseline at each budget */
  comparisons: PairedComparison[];
}

export interface CollectionStudy {
  kind: 'oms-dpm-collection-study';
  version: 1;
  experiment: string;
  solver: SolverName;
  experimentConfigHash: string;
  /** the budget grid, the experiment front's */
  budgets: number[];
  /** records per dataset, of which validation */
  datasetRecords: number;
  validationRecords: number;
  heldOut: { start: number; images: number; resamples: number; level: number };
  points: StudyPoint[];
  /** which strategy is better with every record, and how few active records match random's all (study-verdict.ts); null until both have their last point */
  verdict: StudyVerdict | null;
  note: string;
  provenance: unknown;
}

export const STUDY_NOTE =
  "Each point: a predictor trained on the first n training records of the strategy's dataset (validation records: the same fixed random draws for every point), the front computed with it on the experiment front's budgets, every pick reported on held-out images. difference = FID(OMS-DPM's pick) - FID(best of best-single-model, random, two-segment at that budget), paired on the same images; win/loss when its 95% interval excludes 0. meanDifference: its mean over the budgets, with a paired bootstrap interval.";

export interface StudyEvent {
  kind: 'predictor' | 'front' | 'point';
  strategy: CollectionStrategy;
  trainingRecords: number;
  text: string;
}

export interface CollectionStudyOptions {
  /** what the fronts score and measure with, as the experiment's front (experiment-front.ts) */
  front: Pick<ExperimentFrontOptions, 'engine' | 'score' | 'measure' | 'reference' | 'qualityRange' | 'featureNetwork' | 'provenance' | 'scoreIdentity' | 'onEvent'>;
  /** training-record counts (default `defaultStudyRecords`) */
  trainingRecords?: number[];
  strategies?: readonly CollectionStrategy[];
  /** trains the predictor of a place (default: in this process); e.g. in a child process */
  train?: (place: PredictorPlace) => Promise<PredictorRunResult>;
  /** predictors trained at once (with a `train` that runs elsewhere) */
  trainingProcesses?: number;
  onEvent?: (e: StudyEvent) => void;
}

/** runs/<experiment>/collection-study/<solver>/ */
export function studyFolder(exp: ResolvedExperiment, solver: SolverName): string {
  return path.join(runsDir(exp), 'collection-study', solver);
}

/** results/<experiment>/collection-study-<solver>.json */
export function studyFile(exp: ResolvedExperiment, solver: SolverName): string {
  return path.join(resultsDir(exp), `collection-study-${solver}.json`);
}

interface PointPlan {
  strategy: CollectionStrategy;
  trainingRecords: number;
  dir: string;
  predictor: PredictorPlace;
  front: FrontPlace;
}

/**
 * The record counts of the study: `requested` checked, or `defaultStudyRecords`. `available` is
 * the training records of the datasets; by default those collection.count records will have
 * (their splits are fixed by id), so a command can check its --records before collecting.
 */
export function studyRecordCounts(exp: ResolvedExperiment, requested?: readonly number[], available = trainingIds(exp)): number[] {
  const minimum = minimumTrainingRecords(exp.config.predictor.selectionFraction);
  return requested ? checkStudyRecords(requested, minimum, available) : checkStudyRecords(defaultStudyRecords(exp.config.collection.active.initialRecords, available, minimum), minimum, available);
}

/** Training-split ids among records 0..collection.count-1. */
function trainingIds(exp: ResolvedExperiment): number {
  let n = 0;
  for (let id = 0; id < exp.config.collection.count; id++) if (splitOf(exp.config.collection, id) === 'train') n++;
  return n;
}

/** The experiment's front of `solver`: the budget grid and the baselines' FIDs; a KitError when it is not computed. */
function readMainFront(exp: ResolvedExperiment, solver: SolverName): FrontData {
  const file = frontFile(exp, solver);
  const fix = `compute it first: oms-dpm front --experiment ${exp.config.name} --solver ${solver} (or npm run reproduce)`;
  if (!fs.existsSync(file)) throw new KitError(`the collection study compares with the experiment's ${solver} front, and there is none (${file})`, { hint: fix });
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as FrontData;
  if (data.budgets.length === 0) throw new KitError(`the ${solver} front ${file} has no budgets`, { hint: fix });
  return data;
}

/** Both strategies' datasets, checked to share their validation records (ids, schedules and FIDs). */
function readStudyDatasets(exp: ResolvedExperiment, solver: SolverName, strategies: readonly CollectionStrategy[]): Map<CollectionStrategy, DatasetContents> {
  const out = new Map<CollectionStrategy, DatasetContents>();
  for (const strategy of strategies) {
    const file = datasetFile(exp, solver, strategy);
    if (!fs.existsSync(file)) {
      throw new KitError(`the collection study needs the ${strategy} ${solver} dataset (${file})`, {
        hint: `collect it: oms-dpm collect --experiment ${exp.config.name} --solver ${solver} --strategy ${strategy} --count ${exp.config.collection.count}`,
      });
    }
    out.set(strategy, readDataset(file, { experiment: exp.config.name, solver }));
  }
  // the same validation draws (ids and schedules exactly; FIDs scored in separate runs agree to rounding)
  const validation = (rs: ScheduleRecord[]) => rs.filter((r) => r.split === 'validation').sort((a, b) => a.id - b.id);
  const sameValidation = (a: ScheduleRecord[], b: ScheduleRecord[]) => {
    const [va, vb] = [validation(a), validation(b)];
    return va.length === vb.length && va.every((r, i) => r.id === vb[i].id && JSON.stringify(r.schedule) === JSON.stringify(vb[i].schedule) && Math.abs(r.fid - vb[i].fid) <= 1e-6 * Math.max(1, Math.abs(r.fid)));
  };
  const [first, ...rest] = strategies;
  for (const s of rest) {
    const [a, b] = [out.get(s)!.records, out.get(first)!.records];
    if (a.length !== b.length || !sameValidation(a, b)) {
      throw new KitError(`the ${first} and ${s} ${solver} datasets differ in size or in their validation records, so their taus and fronts are not comparable`, {
        hint: `collect both to the same --count with the same collection seeds and zoo (oms-dpm collect --strategy ... --count ${exp.config.collection.count})`,
      });
    }
  }
  return out;
}

/** Writes the point's part of the dataset, under its source's header (unless the file holds exactly these lines already). */
function writeSubset(header: DatasetHeader, records: readonly ScheduleRecord[], file: string): void {
  const text = [header, ...records].map((x) => JSON.stringify(x)).join('\n') + '\n';
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, text);
}

/** Runs `jobs` with at most `n` at once. */
async function inBatches<T>(jobs: (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, jobs.length)) }, lane));
  return out;
}

/** OMS-DPM's picks against the best record-free baseline at each budget, from a point's front and the FID cache. */
function studyBudgets(data: FrontData, store: FrontScoreStore, range: ReturnType<typeof heldOutSettings>): { budgets: StudyBudget[]; pairs: HeldOutPair[] } {
  const held = (p: FrontPoint): HeldOutScore => {
    const s = store.getHeldOut(data.solver, p.schedule, range);
    if (!s) throw new Error(`the FID cache has no held-out evaluation of a front point at budget ${p.budget} (${p.label})`);
    return s;
  };
  const budgets: StudyBudget[] = [];
  const pairs: HeldOutPair[] = [];
  for (const budget of data.budgets) {
    const pick = data.series.find((s) => s.name === 'oms-dpm')?.points.find((p) => p.budget === budget);
    const baselines = data.series.filter((s) => RECORD_FREE_BASELINES.includes(s.name)).flatMap((s) => s.points.filter((p) => p.budget === budget).map((p) => ({ series: s.name, p })));
    if (!pick || baselines.length === 0) continue;
    const best = baselines.reduce((a, b) => (b.p.fid < a.p.fid ? b : a));
    // runFront compared OMS-DPM with every baseline at this budget already
    const c = data.comparisons.find((x) => x.budget === budget && x.baseline === best.series);
    if (!c) throw new Error(`the front has no comparison of oms-dpm with ${best.series} at budget ${budget}`);
    budgets.push({
      budget,
      pick: { cost: pick.cost, nfe: pick.nfe, fid: pick.fid, fidLow: pick.fidLow, fidHigh: pick.fidHigh, schedule: pick.schedule, pickReason: pick.pickReason },
      baseline: best.series,
      baselineFid: best.p.fid,
      difference: c.difference,
      low: c.low,
      high: c.high,
      verdict: c.verdict,
    });
    pairs.push({ budget, pick: held(pick), baseline: held(best.p) });
  }
  return { budgets, pairs };
}

/** A point's front (its predictor trained), computed or resumed, and what the study reports of it. */
async function studyPoint(exp: ResolvedExperiment, solver: SolverName, p: PointPlan, budgetGrid: number[], o: CollectionStudyOptions): Promise<StudyPoint> {
  const inputs = experimentFrontInputs(exp, solver, {
    ...o.front,
    place: p.front,
    budgets: budgetGrid,
    settings: { ...experimentFrontSettings(exp), series: ['oms-dpm', ...RECORD_FREE_BASELINES] },
  });
  const data = await runFront(inputs);
  const store = FrontScoreStore.read(p.front.scores, inputs.scoreIdentity);
  if (!store) throw new Error(`the study's FID cache ${p.front.scores} cannot be read back`);
  const range = heldOutSettings(exp);
  const { budgets, pairs } = studyBudgets(data, store, range);
  const mean = meanPairedDifference(pairs, range.level);
  const verdicts: Record<PairedVerdict, number> = { win: 0, tie: 0, loss: 0 };
  for (const b of budgets) verdicts[b.verdict]++;
  return {
    strategy: p.strategy,
    trainingRecords: p.trainingRecords,
    ...predictorMetrics(p.predictor.dir),
    budgets,
    meanDifference: { value: mean.value, low: mean.lo, high: mean.hi },
    verdicts,
    comparisons: data.comparisons,
  };
}

/** Reads a trained point's metrics.json: its record parts, taus and chosen epoch. */
function predictorMetrics(dir: string): Pick<StudyPoint, 'records' | 'kendallTau' | 'chosenEpoch'> {
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8')) as Pick<StudyPoint, 'records' | 'kendallTau' | 'chosenEpoch'>;
  return { records: m.records, kendallTau: m.kendallTau, chosenEpoch: m.chosenEpoch };
}

/** Runs (or resumes) the study of `solver`; see the file comment. */
export async function runCollectionStudy(exp: ResolvedExperiment, solver: SolverName, o: CollectionStudyOptions): Promise<CollectionStudy> {
  const strategies = o.strategies ?? STUDY_STRATEGIES;
  const main = readMainFront(exp, solver);
  const datasets = readStudyDatasets(exp, solver, strategies);
  const anyDataset = datasets.get(strategies[0])!.records;
  const available = anyDataset.filter((r) => r.split === 'train').length;
  const counts = studyRecordCounts(exp, o.trainingRecords, available);

  const folder = studyFolder(exp, solver);
  fs.mkdirSync(folder, { recursive: true });
  const scores = path.join(folder, 'front-scores.jsonl');
  // the experiment front's FIDs (baselines, many candidates) are valid here: same zoo, images, engine
  if (!fs.existsSync(scores) && fs.existsSync(frontScoresFile(exp, solver))) fs.copyFileSync(frontScoresFile(exp, solver), scores);

  const plans: PointPlan[] = strategies.flatMap((strategy) =>
    counts.map((n) => {
      const dir = path.join(folder, `${strategy}-${n}`);
      const dataset = path.join(dir, `schedule-fid-${solver}.jsonl`);
      const predictorDir = path.join(dir, 'predictor');
      const front = { predictorDir, dataset, front: path.join(dir, 'front.json'), scores, supportEnsemble: path.join(dir, 'support-ensemble') };
      return { strategy, trainingRecords: n, dir, predictor: { dataset, dir: predictorDir }, front };
    }),
  );
  for (const p of plans) {
    const source = datasets.get(p.strategy)!;
    writeSubset(source.header, studySubset(source.records, p.trainingRecords, `the ${p.strategy} ${solver} dataset`), p.predictor.dataset);
  }

  // the predictors first (possibly several at once, each in its own process), then the fronts one by one on the scoring backend
  await inBatches(
    plans.map((p) => async () => {
      const ensured = await ensureExperimentPredictor(exp, solver, o.train ? () => o.train!(p.predictor) : undefined, p.predictor);
      const r = ensured.result;
      o.onEvent?.({ kind: 'predictor', strategy: p.strategy, trainingRecords: p.trainingRecords, text: `${ensured.reused ? 'kept' : 'trained'}: tau validation ${r.tauValidation.toFixed(3)} (epoch ${r.chosenEpoch ?? 'last'})` });
    }),
    o.train ? Math.max(1, o.trainingProcesses ?? 1) : 1,
  );

  const range = heldOutSettings(exp);
  const study: CollectionStudy = {
    kind: 'oms-dpm-collection-study',
    version: 1,
    experiment: exp.config.name,
    solver,
    experimentConfigHash: exp.hash,
    budgets: [...main.budgets],
    datasetRecords: anyDataset.length,
    validationRecords: anyDataset.length - available,
    heldOut: { start: range.start, images: range.images, resamples: range.resamples, level: range.level },
    points: [],
    verdict: null,
    note: STUDY_NOTE,
    provenance: o.front.provenance,
  };
  for (const p of plans) {
    o.onEvent?.({ kind: 'front', strategy: p.strategy, trainingRecords: p.trainingRecords, text: `front at ${main.budgets.length} budgets` });
    const point = await studyPoint(exp, solver, p, main.budgets, o);
    study.points.push(point);
    study.verdict = studyVerdict(study.points);
    writeJsonAtomic(studyFile(exp, solver), study);
    const m = point.meanDifference;
    const v = point.verdicts;
    o.onEvent?.({
      kind: 'point', strategy: p.strategy, trainingRecords: p.trainingRecords,
      text: `tau validation ${point.kendallTau.validation.toFixed(3)}; mean FID difference to the best baseline ${m.value.toFixed(2)} [${m.low.toFixed(2)}, ${m.high.toFixed(2)}]; ${v.win}/${v.tie}/${v.loss} win/tie/loss`,
    });
  }
  return study;
}

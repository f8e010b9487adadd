/**
 * The front stage of an experiment: where its files live and the `FrontInputs` that price schedules
 * with the sampling engine's latency table, searches with the trained predictor (runSearch), reads
 * the training split of the schedule-FID dataset, trains or reuses the support ensemble of the
 * records' support (front.supportEnsemble, support-ensemble.ts), and keys the FID cache by what a
 * FID depends on (the collection's record key: zoo weights, sampler settings, FID reference; plus
 * engine and feature network). The scorer and the held-out measurer come from the caller (a
 * scoring pool).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetFile, recordKey } from '../collection/collect';
import { readDataset } from '../collection/dataset-file';
import { scheduleLength } from '../collection/schedule-job';
import { hashOf, type ResolvedExperiment } from '../config/index';
import { readTensorFile } from '../diffusion/tensor-file';
import type { PredictorFileMeta } from '../predictor/checkpoint';
import { predictorDir } from '../predictor/experiment-predictor';
import type { SolverName } from '../schedule/index';
import type { GenerationReport } from '../search/evolution';
import type { FrontGenerationReport } from '../search/front-search';
import { experimentLatency, runFrontSearch, runSearch } from '../search/experiment-search';
import { KitError } from '../util/errors';
import { resultsDir, runsDir } from '../zoo/workspace';
import { budgetRule, DEFAULT_BUDGET_COUNT, frontBudgets, type BudgetNfeRange } from './budgets';
import type { FrontEvent, FrontInputs, FrontScorer } from './front-inputs';
import { heldOutEvaluator, heldOutSettings, type FrontMeasurer } from './held-out';
import type { GaussianStats } from '../metrics/frechet-distance';
import type { IntensityRange } from '../metrics/sample-quality';
import { checkFrontSettings, defaultFrontSettings, type FrontSettings } from './settings';
import { ensureSupportEnsemble } from './support-ensemble';
import { ensembleMemberEpochs } from '../predictor/member-training';

/** results/<experiment>/front-<solver>.json */
export function frontFile(exp: ResolvedExperiment, solver: SolverName): string {
  return path.join(resultsDir(exp), `front-${solver}.json`);
}

/** results/<experiment>/front-<solver>-scores.jsonl: the FID cache */
export function frontScoresFile(exp: ResolvedExperiment, solver: SolverName): string {
  return path.join(resultsDir(exp), `front-${solver}-scores.jsonl`);
}

export interface ExperimentFrontOptions {
  /** engine tag: prices with latency-<engine>.json and is recorded */
  engine: string;
  score: FrontScorer;
  /** samples and measures the held-out images of a pick */
  measure: FrontMeasurer;
  /** the FID reference statistics (training split) */
  reference: GaussianStats;
  /** the real data's intensity range, for each pick's sample quality (null: none) */
  qualityRange: IntensityRange | null;
  featureNetwork: string;
  provenance: unknown;
  /** budgets to compute; default `frontBudgets` over the latency table */
  budgets?: number[] | null;
  budgetCount?: number;
  /** NFE range of the default budget grid (default 3 to 20) */
  budgetNfes?: BudgetNfeRange;
  settings?: Partial<FrontSettings>;
  onEvent?: (e: FrontEvent) => void;
  onGeneration?: (budget: number, r: GenerationReport) => void;
  /** front.search whole-front: told after each generation of the one search */
  onFrontGeneration?: (r: FrontGenerationReport) => void;
  /** another predictor, dataset and front files than the experiment's own (the collection study's parts of a dataset) */
  place?: FrontPlace;
  /** seams for tests: replace the search, the dataset, the FID cache identity, the latency table */
  search?: FrontInputs['search'];
  trainingRecords?: FrontInputs['trainingRecords'];
  scoreIdentity?: string;
  latency?: number[];
}

/**
 * Where a front reads its predictor and training records, keeps its support ensemble and writes
 * its points and FID cache; the experiment's own front uses `experimentFrontPlace`.
 */
export interface FrontPlace {
  predictorDir: string;
  dataset: string;
  front: string;
  scores: string;
  /** the support ensemble's folder (support-ensemble.ts), under runs/ */
  supportEnsemble: string;
}

/** runs/<experiment>/front-<solver>/support-ensemble/ */
export function supportEnsembleDir(exp: ResolvedExperiment, solver: SolverName): string {
  return path.join(runsDir(exp), `front-${solver}`, 'support-ensemble');
}

export function experimentFrontPlace(exp: ResolvedExperiment, solver: SolverName): FrontPlace {
  return { predictorDir: predictorDir(exp, solver), dataset: datasetFile(exp, solver), front: frontFile(exp, solver), scores: frontScoresFile(exp, solver), supportEnsemble: supportEnsembleDir(exp, solver) };
}

function fileSha(file: string): string | null {
  return fs.existsSync(file) ? createHash('sha256').update(fs.readFileSync(file)).digest('hex') : null;
}

/** The predictor's schedule length and weights hash, or null when it is not trained. */
function predictorInfo(dir: string): { length: number; sha256: string } | null {
  const file = path.join(dir, 'predictor.bin');
  if (!fs.existsSync(file)) return null;
  const f = readTensorFile<PredictorFileMeta>(file, 'predictor checkpoint');
  return { length: f.meta.config.length, sha256: f.sha256 };
}

/**
 * What the front's FID cache (front-<solver>-scores.jsonl) is keyed by: the collection's record key
 * (zoo weights, sampler settings, FID reference), the engine tag and the feature network.
 */
export function frontScoreIdentity(exp: ResolvedExperiment, solver: SolverName, engine: string, featureNetwork: string): string {
  return hashOf({ record: recordKey(exp, solver), engine, featureNetwork });
}

/**
 * OMS-DPM's search at each budget, as front.search says: per-budget runs the official search once
 * per budget asked; whole-front runs one search for the whole grid `budgets` the first time any
 * budget is asked (the same seed gives the same picks, so a resumed front equals an uninterrupted
 * one) and answers every later budget from it.
 */
function experimentSearch(exp: ResolvedExperiment, solver: SolverName, budgets: readonly number[], o: ExperimentFrontOptions, predictorDir: string): FrontInputs['search'] {
  if (exp.config.front.search === 'per-budget') {
    return async (budget) => (await runSearch(exp, solver, budget, o.engine, { onGeneration: o.onGeneration && ((r) => o.onGeneration?.(budget, r)), predictorDir })).population;
  }
  let whole: ReturnType<typeof runFrontSearch> | null = null;
  return async (budget) => {
    whole ??= runFrontSearch(exp, solver, budgets, o.engine, { onGeneration: o.onFrontGeneration, predictorDir });
    const population = (await whole).byBudget.get(budget);
    if (!population) throw new KitError(`the whole-front search ran on the grid ${budgets.join(', ')} ms, which has no budget ${budget} ms`, { hint: 'ask the front for budgets of its grid (--budgets sets the grid)' });
    return population;
  };
}

/** front.* as the front's settings (the budget grid aside: front.budgetCount, lowNfe and highNfe). */
export function experimentFrontSettings(exp: ResolvedExperiment): Partial<FrontSettings> {
  const f = exp.config.front;
  return {
    randomCount: f.randomCount, singleModelNfes: f.singleModelNfes, twoSegmentNfes: f.twoSegmentNfes, splitFractions: [...f.splitFractions],
    rerankTrusted: f.rerankTrusted, rerankRecords: f.rerankRecords, supportEnsemble: f.supportEnsemble,
  };
}

/** The support ensemble's source (support-ensemble.ts) of a front searched at schedule length `length`, or none with front.supportEnsemble 0. */
function supportSource(exp: ResolvedExperiment, solver: SolverName, length: number, settings: FrontSettings, dir: string): FrontInputs['supportEnsemble'] {
  if (settings.supportEnsemble === 0) return undefined;
  const member = { predictor: { solver, numModels: exp.config.zoo.length, length, timesteps: exp.config.diffusion.timesteps }, training: exp.config.predictor, epochs: ensembleMemberEpochs(exp) };
  const spec = { members: settings.supportEnsemble, seed: settings.seed, member, processes: exp.config.collection.active.trainingProcesses, dir };
  return (training, onTraining) => ensureSupportEnsemble(spec, training, onTraining);
}

/** The inputs of an experiment's front for `solver` (see the file comment). */
export function experimentFrontInputs(exp: ResolvedExperiment, solver: SolverName, o: ExperimentFrontOptions): FrontInputs {
  const settings = checkFrontSettings({ ...defaultFrontSettings(exp.config.search.seed), ...o.settings });
  const place = o.place ?? experimentFrontPlace(exp, solver);
  const predictor = predictorInfo(place.predictorDir);
  if (!predictor && settings.series.includes('oms-dpm')) {
    throw new KitError(`no trained ${solver} predictor for experiment '${exp.config.name}': the oms-dpm series needs one`, {
      hint: `oms-dpm train-predictor --experiment ${exp.config.name} --solver ${solver}, or leave oms-dpm out of --series`,
    });
  }
  // The searched length is the predictor's; without one (baselines only), the dataset's.
  const length = predictor?.length ?? scheduleLength(exp.config.collection, solver);
  const latency = o.latency ?? experimentLatency(exp, o.engine);
  const dataset = place.dataset;
  const budgets = o.budgets ?? frontBudgets(latency, length, o.budgetCount ?? DEFAULT_BUDGET_COUNT, o.budgetNfes);
  return {
    experiment: exp.config.name,
    experimentConfigHash: exp.hash,
    solver,
    engine: o.engine,
    latency,
    modelIds: exp.config.zoo.map((m) => m.id),
    length,
    timesteps: exp.config.diffusion.timesteps,
    budgets,
    budgetRule: o.budgets ? 'given with --budgets' : budgetRule(o.budgetNfes),
    images: exp.config.search.rerankImages,
    heldOut: heldOutEvaluator(heldOutSettings(exp), o.measure, o.reference, o.qualityRange),
    rerankTopK: exp.config.search.rerankTopK,
    randomDistribution: { alpha: exp.config.collection.dirichletAlpha, nullProb: exp.config.collection.nullProbability },
    settings,
    featureNetwork: o.featureNetwork,
    scoreIdentity: o.scoreIdentity ?? frontScoreIdentity(exp, solver, o.engine, o.featureNetwork),
    inputsIdentity: hashOf({ predictor: predictor?.sha256 ?? null, dataset: fileSha(dataset) }),
    score: o.score,
    search: o.search ?? experimentSearch(exp, solver, budgets, o, place.predictorDir),
    trainingRecords:
      o.trainingRecords ??
      (() => {
        if (!fs.existsSync(dataset)) {
          throw new KitError(`no ${solver} schedule-FID dataset for experiment '${exp.config.name}' (${dataset}): the best-in-training-set series needs one`, {
            hint: `oms-dpm collect --experiment ${exp.config.name} --solver ${solver}, or leave best-in-training-set out of --series`,
          });
        }
        return readDataset(dataset, { experiment: exp.config.name, solver }).records;
      }),
    supportEnsemble: supportSource(exp, solver, length, settings, place.supportEnsemble),
    provenance: o.provenance,
    file: place.front,
    scoresFile: place.scores,
    onEvent: o.onEvent,
  };
}

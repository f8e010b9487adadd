/**
 * The FID-vs-cost front (the paper's Fig. 1) and its baselines at equal budget: OMS-DPM's searched
 * schedules against the best single model, the best schedule of the predictor's training set,
 * random schedules and (beyond the paper) two-segment schedules.
 */
export { BUDGET_RULE, DEFAULT_BUDGET_COUNT, DEFAULT_BUDGET_NFE_RANGE, budgetRule, type BudgetNfeRange, FRONT_HIGH_NFE, FRONT_LOW_NFE, budgetText, frontBudgets, parseBudgets } from './budgets';
export { candidate, candidateKey, ddimQuadraticSchedule, distinctCandidates, dpmSolverFromSteps, fitsBudget } from './candidate';
export type { Candidate } from './candidate';
export { experimentFrontInputs, experimentFrontPlace, experimentFrontSettings, frontFile, frontScoresFile, supportEnsembleDir } from './experiment-front';
export type { ExperimentFrontOptions, FrontPlace } from './experiment-front';
export { FRONT_SERIES, seriesOf } from './front-data';
export type { EmptyPoint, FrontData, FrontPoint, FrontSeries, FrontSeriesName, PairedComparison } from './front-data';
export { randomBaselineSchedules } from './random-baseline';
export type { RandomBaselineOptions } from './random-baseline';
export { FRONT_NOTE } from './front-file';
export { frontConfigHash } from './front-inputs';
export type { FrontEvent, FrontInputs, FrontScorer, SupportEnsembleReady, SupportEnsembleSource } from './front-inputs';
export { EnsembleSpread } from './ensemble-spread';
export type { SpreadLookup } from './ensemble-spread';
export { ensureSupportEnsemble, supportEventText } from './support-ensemble';
export type { SupportEnsembleSpec } from './support-ensemble';
export { fidContextMeasurer, fidContextScorer, poolMeasurer, poolScorer } from './front-scorers';
export { HELD_OUT_LEVEL, evaluateHeldOut, heldOutEvaluator, heldOutSettings, pairedComparisons } from './held-out';
export type { FrontMeasurer, HeldOutEvaluator, HeldOutSettings } from './held-out';
export { describePoint, runFront } from './run-front';
export { FrontScoreStore } from './score-store';
export type { HeldOutScore, StoredScore } from './score-store';
export {
  DEFAULT_RANDOM_COUNT,
  DEFAULT_SPLIT_FRACTIONS,
  DEFAULT_SUPPORT_ENSEMBLE,
  checkFrontSettings,
  defaultFrontSettings,
  parseSeries,
  singleModelNfeGrid,
  twoSegmentNfeGrid,
} from './settings';
export type { FrontSettings } from './settings';
export { SINGLE_MODEL_SETTINGS, singleModelCandidates, singleModelSchedule } from './single-model';
export type { SingleModelOptions, SingleModelSetting } from './single-model';
export { bestTrainingRecord } from './training-set';
export type { TrainingPick } from './training-set';
export { splitsOf, stepCount, twoSegmentCandidates, twoSegmentSchedule } from './two-segment';
export type { TwoSegmentOptions } from './two-segment';

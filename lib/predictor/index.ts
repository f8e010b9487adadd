/**
 * The schedule-FID ranking predictor (method doc §5): schedule encoders for DDIM and single-step
 * DPM-Solver schedules, an LSTM written with TF.js ops, the pairwise hinge ranking loss, training
 * with Kendall tau-b validation and best-validation checkpoints, and batched scoring for the
 * evolutionary search.
 */
export { PAPER_PREDICTOR_SIZES, lstmInputSize, predictorConfig } from './config';
export type { DpmStepTime, PredictorConfig, PredictorConfigInput } from './config';

export { initPredictorParams, initialValue, predictorParamSpecs } from './params';
export type { ParamInit, ParamSpec, PredictorParams } from './params';

export { ddimTimesteps, dpmStepTimeInputs, prepareSchedules, reorderActiveGroups, selectRows } from './inputs';
export type { ScheduleBatch } from './inputs';

export { dense, embed, l2Normalize, mlp, sinusoidalEmbedding, swish, timestepEncoder } from './layers';
export { gateWeights, lstm, lstmRecurrence, poolHiddenStates, projectGateInputs } from './lstm';
export type { GateInputs, GateWeights, Gates, LstmWeights } from './lstm';
export { ddimHiddenStates, dpmSolverHiddenStates, dpmSolverSequence, dpmSolverStepInputs, encodeSchedules, lstmWeights, toTimeMajor } from './encoders';

export { SchedulePredictor } from './predictor';
export type { ScoreOptions } from './predictor';

export { mseLoss, pairwiseHingeLoss, selectRankingPairs } from './losses';
export type { RankingPairOptions, RankingPairs } from './losses';

export { evaluateTau, trainPredictor } from './train';
export type { PredictorDataset, PredictorEvaluation, TrainPredictorOptions, TrainPredictorResult } from './train';

export { PREDICTOR_FILE_KIND, PREDICTOR_FILE_VERSION, loadPredictor, savePredictor } from './checkpoint';
export type { PredictorFileMeta } from './checkpoint';

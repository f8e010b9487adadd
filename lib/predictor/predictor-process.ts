/**
 * `trainExperimentPredictor` in a child process (predictor-child.ts, util/child-task.ts), so the
 * two solvers' predictors train at the same time on a machine with 2+ cores (TF.js on WASM runs
 * one thread per process). The child loads the same resolved experiment (checked by its config
 * hash), trains, writes the predictor's files itself and reports every evaluation and the result
 * back; a child that fails or dies rejects the promise with its message.
 */
import { experimentSource, type ResolvedExperiment } from '../config/index';
import type { SolverName } from '../schedule/index';
import { runChildTask } from '../util/child-task';
import type { PredictorPlace, PredictorRunResult } from './experiment-predictor';
import type { PredictorChildRequest } from './predictor-child';
import type { PredictorEvaluation } from './train';

/** `place`: where the child reads the dataset and writes the predictor (default the experiment's own, `experimentPredictorPlace`). */
export function trainExperimentPredictorInChild(exp: ResolvedExperiment, solver: SolverName, onEvaluate?: (e: PredictorEvaluation) => void, place?: PredictorPlace): Promise<PredictorRunResult> {
  const request: PredictorChildRequest = { source: experimentSource(exp), solver, place };
  return runChildTask(require.resolve('./predictor-child.ts'), request, `the ${solver} predictor`, onEvaluate);
}

/**
 * The child process of predictor-process.ts: trains one solver's predictor of an experiment and
 * reports each evaluation and the result back (util/child-task.ts). Not a command of its own.
 */
import { loadExperimentSource, type ExperimentSource } from '../config/index';
import { initBackend } from '../tfjs/backend';
import type { SolverName } from '../schedule/index';
import { exitIfOrphaned, serveChildTask } from '../util/child-task';
import { trainExperimentPredictor, type PredictorPlace, type PredictorRunResult } from './experiment-predictor';
import type { PredictorEvaluation } from './train';

export interface PredictorChildRequest { source: ExperimentSource; solver: SolverName; place?: PredictorPlace }

serveChildTask<PredictorChildRequest, PredictorEvaluation, PredictorRunResult>(async (m, progress) => {
  const exp = loadExperimentSource(m.source, 'the child');
  await initBackend();
  // every epoch checks the parent too: the training is synchronous, so 'disconnect' is heard only after it
  return trainExperimentPredictor(exp, m.solver, { onEvaluate: progress, onEpoch: exitIfOrphaned, place: m.place });
});

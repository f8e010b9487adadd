/**
 * `trainExperimentPredictor` in a child process, so the two solvers' predictors train at the same
 * time on a machine with 2+ cores (TF.js on WASM runs one thread per process). The child loads the
 * same resolved experiment (checked by its config hash), trains, writes the predictor's files
 * itself and reports every evaluation and the result back; a child that fails or dies rejects the
 * promise with its message.
 */
import { experimentSource, type ResolvedExperiment } from '../config/index';
import type { SolverName } from '../schedule/index';
import { KitError } from '../util/errors';
import { forkTs } from '../util/fork-ts';
import type { PredictorPlace, PredictorRunResult } from './experiment-predictor';
import type { PredictorEvaluation } from './train';
import type { PredictorChildReply, PredictorChildRequest } from './predictor-child';

/** `place`: where the child reads the dataset and writes the predictor (default the experiment's own, `experimentPredictorPlace`). */
export function trainExperimentPredictorInChild(exp: ResolvedExperiment, solver: SolverName, onEvaluate?: (e: PredictorEvaluation) => void, place?: PredictorPlace): Promise<PredictorRunResult> {
  return new Promise((resolve, reject) => {
    const child = forkTs(require.resolve('./predictor-child.ts'));
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
    };
    child.on('message', (m: PredictorChildReply) => {
      if (m.type === 'evaluation') onEvaluate?.(m.evaluation);
      else if (m.type === 'done') finish(() => resolve(m.result));
      else finish(() => reject(new KitError(`training the ${solver} predictor failed: ${m.message}`, m.hint ? { hint: m.hint } : {})));
    });
    child.on('error', (e) => finish(() => reject(new KitError(`the ${solver} predictor process could not be started: ${e.message}`))));
    // 'close' comes after the child's last message has been read, unlike 'exit'
    child.on('close', (code) => finish(() => reject(new KitError(`the ${solver} predictor process exited with code ${code} before it finished`))));
    child.send({ source: experimentSource(exp), solver, place } satisfies PredictorChildRequest);
  });
}

/**
 * The child process of predictor-process.ts: trains one solver's predictor of an experiment and
 * reports back. Not a command of its own.
 */
import { loadExperimentSource, type ExperimentSource } from '../config/index';
import { initBackend } from '../tfjs/backend';
import type { SolverName } from '../schedule/index';
import { isKitError } from '../util/errors';
import { trainExperimentPredictor, type PredictorPlace, type PredictorRunResult } from './experiment-predictor';
import type { PredictorEvaluation } from './train';

export interface PredictorChildRequest { source: ExperimentSource; solver: SolverName; place?: PredictorPlace }
export type PredictorChildReply =
  | { type: 'evaluation'; evaluation: PredictorEvaluation }
  | { type: 'done'; result: PredictorRunResult }
  | { type: 'error'; message: string; hint?: string };

// A parent that is gone (killed) gets no predictor: stop rather than train on as an orphan. The
// training is synchronous, so 'disconnect' is only heard once it has ended (an orphan of a killed
// `reproduce` used to train to the end and write metrics.json etc. under its rerun): every epoch
// also checks that the parent is still this process's parent (a dead one's children are re-parented).
const parent = process.ppid;
const exitIfOrphaned = () => {
  if (process.ppid !== parent) process.exit(0);
};
process.on('disconnect', () => process.exit(0));

process.once('message', (m: PredictorChildRequest) => {
  void (async () => {
    const send = (r: PredictorChildReply) => new Promise<void>((done) => process.send!(r, () => done()));
    try {
      const exp = loadExperimentSource(m.source, 'the child');
      await initBackend();
      const result = trainExperimentPredictor(exp, m.solver, { onEvaluate: (evaluation) => void send({ type: 'evaluation', evaluation }), onEpoch: exitIfOrphaned, place: m.place });
      await send({ type: 'done', result });
    } catch (e) {
      await send({ type: 'error', message: (e as Error).message, hint: isKitError(e) ? e.hint : undefined });
    }
    process.exit(0);
  })();
});

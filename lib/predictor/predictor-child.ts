/**
 * The child process of predictor-process.ts: trains one solver's predictor of an experiment and
 * reports back. Not a command of its own.
 */
import { loadExperiment, type ExperimentSource } from '../config/index';
import { initBackend } from '../engine/backend';
import type { SolverName } from '../schedule/index';
import { isKitError } from '../util/errors';
import { trainExperimentPredictor, type PredictorRunResult } from './experiment-predictor';
import type { PredictorEvaluation } from './train';

export type PredictorChildRequest = ExperimentSource & { hash: string; solver: SolverName };
export type PredictorChildReply =
  | { type: 'evaluation'; evaluation: PredictorEvaluation }
  | { type: 'done'; result: PredictorRunResult }
  | { type: 'error'; message: string; hint?: string };

// A parent that is gone (killed) gets no predictor: stop rather than train on as an orphan.
process.on('disconnect', () => process.exit(0));

process.once('message', (m: PredictorChildRequest) => {
  void (async () => {
    const send = (r: PredictorChildReply) => new Promise<void>((done) => process.send!(r, () => done()));
    try {
      const exp = loadExperiment(m.experiment, { profile: m.profile, set: m.set });
      if (exp.hash !== m.hash) throw new Error(`the child loaded config ${exp.hash} from ${m.experiment}, the parent has ${m.hash} (was the file edited during the run?)`);
      await initBackend();
      const result = trainExperimentPredictor(exp, m.solver, (evaluation) => void send({ type: 'evaluation', evaluation }));
      await send({ type: 'done', result });
    } catch (e) {
      await send({ type: 'error', message: (e as Error).message, hint: isKitError(e) ? e.hint : undefined });
    }
    process.exit(0);
  })();
});

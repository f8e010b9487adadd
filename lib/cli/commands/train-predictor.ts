/** `oms-dpm train-predictor`: the ranking predictor on the collected schedule-FID dataset. */
import { Command } from 'commander';
import { initBackend } from '../../tfjs/backend';
import { trainExperimentPredictor } from '../../predictor/experiment-predictor';
import { parseSolver } from '../../schedule/index';
import { withExperimentOptions, resolveExperiment, lockResults, type ExperimentOpts } from '../experiment-options';

export function trainPredictorCommand(): Command {
  return withExperimentOptions(new Command('train-predictor'))
    .description('train the schedule-FID ranking predictor (method §5; the checkpoint is chosen on a selection part of the training split, predictor.selectionFraction) and write predictions.csv and metrics.json (Kendall tau-b train / selection / validation), from which `oms-dpm figures` draws the scatter')
    .requiredOption('--solver <name>', 'ddim | dpm-solver')
    .action(async (o: ExperimentOpts & { solver: string }) => {
      const exp = resolveExperiment(o);
      lockResults(exp, 'train-predictor');
      const solver = parseSolver(o.solver);
      await initBackend();
      const r = trainExperimentPredictor(exp, solver, {
        onEvaluate: (e) => console.log(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, Kendall tau train ${e.trainTau.toFixed(3)}, selection ${e.selectionTau.toFixed(3)} (${e.seconds.toFixed(0)} s)`),
      });
      console.log(
        `predictor (${solver}, ${r.records} records): weights of epoch ${r.chosenEpoch ?? 'last'} (best selection tau); Kendall tau-b train ${r.tauTrain.toFixed(3)}, ` +
          `selection ${r.tauSelection.toFixed(3)}, validation ${r.tauValidation.toFixed(3)} (measured once, on records neither training nor the choice saw); wrote ${r.dir}`,
      );
    });
}

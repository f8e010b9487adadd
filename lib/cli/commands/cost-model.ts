/** `oms-dpm cost-model`: how well the additive cost model predicts the measured time of the collected schedules. */
import { Command } from 'commander';
import { datasetFile } from '../../collection/collect';
import { checkCostModel } from '../../collection/cost-model-check';
import { readDataset } from '../../collection/dataset-file';
import { parseSolver } from '../../schedule/index';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';

export function costModelCommand(): Command {
  return withExperimentOptions(new Command('cost-model'))
    .description('check the additive cost model (sum of per-batch latencies) against the measured time of every collected schedule: least-squares fit, R², relative errors')
    .requiredOption('--solver <name>', 'ddim | dpm-solver')
    .option('--engine <tag>', 'only records sampled on this engine (default: the engine most records used)')
    .option('--json', 'print the check as JSON (with every point)')
    .action((o: ExperimentOpts & { solver: string; engine?: string; json?: boolean }) => {
      const exp = resolveExperiment(o);
      const solver = parseSolver(o.solver);
      const file = datasetFile(exp, solver);
      const c = checkCostModel(readDataset(file, { experiment: exp.config.name, solver }).records, exp.config.sampling.batchSize, o.engine);
      if (o.json) {
        console.log(JSON.stringify({ experiment: exp.config.name, solver: o.solver, dataset: file, ...c }, null, 2));
        return;
      }
      const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
      console.log(`${file}: ${c.count} records on ${c.engine}${c.skipped ? ` (${c.skipped} left out: unpriced or another engine)` : ''}, sampling batch ${c.batchSize}`);
      console.log(`measured s = ${c.overheadSeconds.toFixed(3)} + ${c.slope.toFixed(4)} x predicted sampling s   (R² ${c.r2.toFixed(4)})`);
      console.log(`relative error of the fit: median ${pct(c.relativeError.median)}, 90th percentile ${pct(c.relativeError.p90)}, max ${pct(c.relativeError.max)}`);
      console.log('(the intercept is per-record work outside sampling: FID features, noise bank; slope 1 = the latency table prices forward passes exactly as they cost in a run)');
    });
}

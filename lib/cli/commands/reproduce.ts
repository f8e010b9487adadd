/**
 * `oms-dpm reproduce` (`npm run reproduce`): the experiment's stages in order. Stages that exist
 * run (each skips work already done for the same resolved config); stages not built yet are named
 * so nobody mistakes a partial report for a full one.
 */
import { Command } from 'commander';
import { initBackend } from '../../engine/backend';
import { trainZoo } from '../../zoo/train-zoo';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';
import { ProgressLine, formatDuration } from '../progress';

export const PIPELINE_STAGES = ['zoo', 'latency', 'fid-reference', 'collection', 'predictor', 'search-front', 'figures'] as const;
/** Stages this version of the kit implements. */
export const IMPLEMENTED_STAGES: readonly string[] = ['zoo'];

export function reproduceCommand(): Command {
  return withExperimentOptions(new Command('reproduce'), 'mnist')
    .description(`run the pipeline (${PIPELINE_STAGES.join(' -> ')}) for an experiment; resumes interrupted work`)
    .action(async (o: ExperimentOpts) => {
      const exp = resolveExperiment(o);
      const info = await initBackend();
      const t0 = Date.now();
      console.log(`reproduce: experiment ${exp.config.name}, profile ${exp.profile}, config ${exp.hash}, backend ${info.backend}`);
      console.log('stage zoo: training the model zoo');
      let bar = new ProgressLine();
      const summaries = await trainZoo(exp, {
        resume: true,
        grid: { count: 64, steps: 50 },
        onModelStart: (id, iters) => {
          console.log(`  ${id}: ${iters} steps`);
          bar = new ProgressLine();
        },
        onProgress: (id, p) => bar.update(p.step, p.iterations, `${id} loss ${p.loss.toFixed(4)} ETA ${formatDuration(p.etaSeconds)}`),
      });
      for (const s of summaries) console.log(`  ${s.modelId}: ${s.params} params, ${s.steps} steps${s.skipped ? ' (done earlier)' : ''}`);
      const missing = PIPELINE_STAGES.filter((s) => !IMPLEMENTED_STAGES.includes(s));
      console.log(`reproduce: finished the implemented stages in ${formatDuration((Date.now() - t0) / 1000)}.`);
      if (missing.length) console.log(`reproduce: not implemented yet in this version of the kit: ${missing.join(', ')}`);
    });
}

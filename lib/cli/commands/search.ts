/** `oms-dpm search`: the predictor-based evolutionary search for one time budget. */
import { Command } from 'commander';
import { ensureFidReference } from '../../metrics/fid-reference';
import { makeProvenance } from '../../config/provenance';
import { parseSolver } from '../../schedule/index';
import { runSearch, writeSearch } from '../../search/experiment-search';
import { KitError } from '../../util/errors';
import { loadSamplingModels } from '../../zoo/sampling-engine';
import { printExport, withEngineOption, resolveEngine, type EngineOpts } from '../engine-options';
import { withExperimentOptions, resolveExperiment, lockResults, type ExperimentOpts } from '../experiment-options';

export function searchCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('search')))
    .description('evolutionary search (method §6) for schedules with cost <= --budget (ms per batch on the sampling engine), scored by the trained predictor; --rerank re-scores the top-k with real FID')
    .requiredOption('--solver <name>', 'ddim | dpm-solver')
    .requiredOption('--budget <ms>', 'time budget C in the latency table\'s unit (ms per batch)')
    .option('--rerank', 're-rank the top-k of the final population with real FID, then re-evaluate the best with more images', false)
    .action(async (o: ExperimentOpts & EngineOpts & { solver: string; budget: string; rerank: boolean }) => {
      const exp = resolveExperiment(o);
      lockResults(exp, 'search');
      const solver = parseSolver(o.solver);
      const budget = Number(o.budget);
      if (!Number.isFinite(budget) || budget <= 0) throw new KitError(`--budget must be a positive number of ms, got '${o.budget}'`);
      const choice = await resolveEngine(o);
      let rerank;
      const models = o.rerank ? await loadSamplingModels(exp, choice.engine, { onExport: printExport }) : [];
      try {
        if (o.rerank) {
          const ref = await ensureFidReference(exp);
          rerank = { exp, models: models.map((m) => m.denoiser), engine: choice.tag, extractor: ref.extractor, reference: ref.stats };
        }
        let last = 0;
        const run = await runSearch(exp, solver, budget, choice.tag, {
          rerank,
          onGeneration: (g) => {
            if (Date.now() - last > 2000 || g.generation === exp.config.search.generations) {
              last = Date.now();
              console.log(`generation ${g.generation}: best predicted score ${g.bestScore.toFixed(4)} (${g.scoredCount} schedules scored)`);
            }
          },
        });
        const file = writeSearch(exp, solver, run, makeProvenance(exp));
        const top = run.population[0];
        console.log(`search: ${run.population.length} schedules within ${budget} ms in ${run.seconds.toFixed(1)} s (predictor on ${run.scorer}); best predicted: cost ${top.cost.toFixed(1)} ms, ${top.nfe} NFE, schedule ${top.schedule.join(',')}`);
        if (run.best) console.log(`re-ranked best: FID ${run.best.fid.toFixed(2)} on ${run.best.images} images, cost ${run.best.cost.toFixed(1)} ms, ${run.best.nfe} NFE`);
        console.log(`wrote ${file}`);
      } finally {
        for (const m of models) m.dispose();
      }
    });
}

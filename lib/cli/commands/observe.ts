/** `oms-dpm observe`: the paper's first observation on a trained zoo (FID vs NFE per model; small/large switch curves). */
import * as path from 'node:path';
import { Command } from 'commander';
import { initBackend } from '../../engine/backend';
import { runObservation } from '../../evaluation/observation-run';
import { ensureFidReference } from '../../metrics/fid-reference';
import { makeProvenance } from '../../pipeline/provenance';
import { KitError } from '../../util/errors';
import { resultsDir } from '../../zoo/workspace';
import { loadZooModel } from '../../zoo/zoo-model';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';

function nfeList(name: string, v: string): number[] {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.some((x) => !Number.isInteger(x) || x < 1)) throw new KitError(`--${name} must be a comma-separated list of positive integers, got '${v}'`);
  return xs;
}

export function observeCommand(): Command {
  return withExperimentOptions(new Command('observe'))
    .description("measure the paper's first observation on the trained zoo: FID vs NFE of every model alone (DDIM, DPM-Solver) and the small-then-large / large-then-small switch curves (resumable)")
    .option('--ddim-nfe <list>', 'NFEs of the single-model DDIM curves', '2,4,6,10,20')
    .option('--dpm-nfe <list>', 'NFEs of the single-model DPM-Solver curves', '3,6,10,15')
    .option('--switch-nfe <n>', 'NFE of the switch curves (DDIM)', '10')
    .action(async (o: ExperimentOpts & { ddimNfe: string; dpmNfe: string; switchNfe: string }) => {
      const exp = resolveExperiment(o);
      const plan = { singleNfe: { ddim: nfeList('ddim-nfe', o.ddimNfe), 'dpm-solver': nfeList('dpm-nfe', o.dpmNfe) }, switchNfe: nfeList('switch-nfe', o.switchNfe)[0] };
      await initBackend();
      const ref = await ensureFidReference(exp);
      const models = exp.config.zoo.map((m) => loadZooModel(exp, m.id));
      const file = path.join(resultsDir(exp), 'observation-first.json');
      try {
        const t0 = Date.now();
        await runObservation({ exp, models: models.map((m) => m.denoiser), extractor: ref.extractor, reference: ref.stats }, file, plan, ref.description, makeProvenance(exp), (done, total, p) =>
          console.log(`[${done}/${total}] ${p.series} x=${p.x}: FID ${p.fid.toFixed(2)} (${p.nfe} NFE, ${p.seconds.toFixed(1)} s, ${((Date.now() - t0) / 1000).toFixed(0)} s total)`),
        );
        console.log(`wrote ${file}`);
      } finally {
        for (const m of models) m.dispose();
        ref.extractor.dispose();
      }
    });
}

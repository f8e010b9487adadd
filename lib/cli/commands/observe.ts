/** `oms-dpm observe`: the paper's first observation on a trained zoo (FID vs NFE per model; small/large switch curves). */
import * as path from 'node:path';
import { Command } from 'commander';
import { runObservation } from '../../evaluation/observation-run';
import { ensureFidReference } from '../../metrics/fid-reference';
import { recommendOrtSplit } from '../../onnx/engine-choice';
import { makeProvenance } from '../../pipeline/provenance';
import { KitError } from '../../util/errors';
import { resultsDir } from '../../zoo/workspace';
import { disposeSamplingModels, engineRecord, loadSamplingModels } from '../../zoo/sampling-engine';
import { printExport, resolveEngine, threadsOption, withEngineOption, type EngineOpts } from '../engine-options';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';

function nfeList(name: string, v: string): number[] {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.some((x) => !Number.isInteger(x) || x < 1)) throw new KitError(`--${name} must be a comma-separated list of positive integers, got '${v}'`);
  return xs;
}

export function observeCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('observe')), 'ONNX Runtime intra-op threads (default: every core, one sampling job)')
    .description("measure the paper's first observation on the trained zoo: FID vs NFE of every model alone (DDIM, DPM-Solver) and the small-then-large / large-then-small switch curves (resumable)")
    .option('--ddim-nfe <list>', 'NFEs of the single-model DDIM curves', '2,4,6,10,20')
    .option('--dpm-nfe <list>', 'NFEs of the single-model DPM-Solver curves', '3,6,10,15')
    .option('--switch-nfe <n>', 'NFE of the switch curves (DDIM)', '10')
    .action(async (o: ExperimentOpts & EngineOpts & { ddimNfe: string; dpmNfe: string; switchNfe: string }) => {
      const exp = resolveExperiment(o);
      const plan = { singleNfe: { ddim: nfeList('ddim-nfe', o.ddimNfe), 'dpm-solver': nfeList('dpm-nfe', o.dpmNfe) }, switchNfe: nfeList('switch-nfe', o.switchNfe)[0] };
      const threads = threadsOption(o, recommendOrtSplit({ jobs: 1 }).intraOpThreads);
      const choice = await resolveEngine(o);
      const ref = await ensureFidReference(exp);
      const file = path.join(resultsDir(exp), 'observation-first.json');
      let models: Awaited<ReturnType<typeof loadSamplingModels>> = [];
      try {
        models = await loadSamplingModels(exp, choice.engine, { threads, onExport: printExport });
        const t0 = Date.now();
        const ctx = { exp, models: models.map((m) => m.denoiser), engine: choice.tag, extractor: ref.extractor, reference: ref.stats };
        await runObservation(ctx, file, plan, ref.description, { ...makeProvenance(exp), engine: engineRecord(choice) }, (done, total, p) =>
          console.log(`[${done}/${total}] ${p.series} x=${p.x}: FID ${p.fid.toFixed(2)} (${p.nfe} NFE, ${p.seconds.toFixed(1)} s, ${((Date.now() - t0) / 1000).toFixed(0)} s total)`),
        );
        console.log(`wrote ${file}`);
      } finally {
        await disposeSamplingModels(models);
        ref.extractor.dispose();
      }
    });
}

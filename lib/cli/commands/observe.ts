/** `oms-dpm observe`: the paper's first observation on a trained zoo (FID vs NFE per model; small/large switch curves). */
import { Command } from 'commander';
import { observeExperiment } from '../../evaluation/experiment-observation';
import { observationPlan } from '../../evaluation/observation-run';
import { recommendOrtSplit } from '../../onnx/onnx-runtime';
import { KitError } from '../../util/errors';
import { printExport, resolveEngine, threadsOption, withEngineOption, type EngineOpts } from '../engine-options';
import { withExperimentOptions, resolveExperiment, lockResults, type ExperimentOpts } from '../experiment-options';

function nfeList(name: string, v: string): number[] {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.some((x) => !Number.isInteger(x) || x < 1)) throw new KitError(`--${name} must be a comma-separated list of positive integers, got '${v}'`);
  return xs;
}

export function observeCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('observe')), 'ONNX Runtime intra-op threads (default: every core, one sampling job)')
    .description("measure the paper's first observation on the trained zoo: FID vs NFE of every model alone (DDIM, DPM-Solver) and the small-then-large / large-then-small switch curves (resumable)")
    .option('--ddim-nfe <list>', 'NFEs of the single-model DDIM curves (default: observation.ddimNfes)')
    .option('--dpm-nfe <list>', 'NFEs of the single-model DPM-Solver curves (default: observation.dpmSolverNfes)')
    .option('--switch-nfe <n>', 'NFE of the switch curves, DDIM (default: observation.switchNfe)')
    .action(async (o: ExperimentOpts & EngineOpts & { ddimNfe?: string; dpmNfe?: string; switchNfe?: string }) => {
      const exp = resolveExperiment(o);
      lockResults(exp, 'observe');
      const plan = observationPlan(exp);
      if (o.ddimNfe !== undefined) plan.singleNfe.ddim = nfeList('ddim-nfe', o.ddimNfe);
      if (o.dpmNfe !== undefined) plan.singleNfe['dpm-solver'] = nfeList('dpm-nfe', o.dpmNfe);
      if (o.switchNfe !== undefined) plan.switchNfe = nfeList('switch-nfe', o.switchNfe)[0];
      const threads = threadsOption(o, recommendOrtSplit({ jobs: 1 }).intraOpThreads);
      const choice = await resolveEngine(o);
      const t0 = Date.now();
      const { file } = await observeExperiment(exp, choice, plan, {
        threads,
        onExport: printExport,
        onPoint: (done, total, p) =>
          console.log(`[${done}/${total}] ${p.series} x=${p.x}: FID ${p.fid.toFixed(2)} (${p.nfe} NFE, ${p.seconds.toFixed(1)} s, ${((Date.now() - t0) / 1000).toFixed(0)} s total)`),
      });
      console.log(`wrote ${file}`);
    });
}

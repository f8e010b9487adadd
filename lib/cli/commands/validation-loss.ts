/** `oms-dpm validation-loss`: each zoo member's held-out denoising loss per noise level (the zoo's quality gradient). */
import { Command } from 'commander';
import { VALIDATION_LOSS_TIMESTEPS } from '../../zoo/validation-loss';
import { writeValidationLoss } from '../../zoo/validation-loss-report';
import { printExport, resolveEngine, threadsOption, withEngineOption, type EngineOpts } from '../engine-options';
import { withExperimentOptions, resolveExperiment, lockResults, type ExperimentOpts } from '../experiment-options';
import { positiveIntOption } from '../option-values';
import { ProgressLine } from '../progress';

export function validationLossCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('validation-loss')), 'ONNX Runtime intra-op threads (default 2)')
    .description("each trained zoo model's noise-prediction MSE (EMA weights) on the held-out validation split, per timestep and averaged; same noise for every model; writes results/<experiment>/validation-loss.json")
    .option('--images <n>', "validation images (default validationLoss.images, at most the split's size)")
    .option('--timesteps <k>', `timesteps: midpoints of k equal bins of 0..T-1 (default ${VALIDATION_LOSS_TIMESTEPS})`)
    .action(async (o: ExperimentOpts & EngineOpts & { images?: string; timesteps?: string }) => {
      const exp = resolveExperiment(o);
      lockResults(exp, 'validation-loss');
      const images = o.images === undefined ? undefined : positiveIntOption('images', o.images);
      const timesteps = o.timesteps === undefined ? undefined : positiveIntOption('timesteps', o.timesteps);
      const choice = await resolveEngine(o);
      const bar = new ProgressLine(10);
      const { file, report } = await writeValidationLoss(exp, choice, { images, timesteps, threads: threadsOption(o, 2), onExport: printExport, onProgress: (d, t) => bar.update(d, t, 'batches') });
      console.log(`validation MSE of the predicted noise, ${report.images} held-out images, EMA weights, ${report.engine}`);
      console.log(`model      mean    ${report.timesteps.map((t) => `t=${t}`.padStart(7)).join(' ')}`);
      for (const m of report.models) {
        console.log(`${m.modelId.padEnd(8)} ${m.mse.toFixed(4).padStart(7)}  ${m.perTimestep.map((v) => v.toFixed(4).padStart(7)).join(' ')}`);
      }
      console.log('image-mean (DC) error of the predicted x_0 (sd over images; see lib/zoo/validation-loss.ts), and the DC gain:');
      for (const m of report.models) {
        console.log(`${m.modelId.padEnd(8)} ${'error'.padStart(7)}  ${m.dcError.map((v) => v.toFixed(4).padStart(7)).join(' ')}`);
        console.log(`${''.padEnd(8)} ${'gain'.padStart(7)}  ${m.dcGain.map((v) => v.toFixed(3).padStart(7)).join(' ')}`);
      }
      console.log(`wrote ${file}`);
    });
}

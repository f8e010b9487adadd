/** `oms-dpm sample`: a DDIM sample grid from one trained zoo model, on either sampling engine. */
import * as path from 'node:path';
import { Command } from 'commander';
import { zooMember } from '../../config/index';
import { writeImageGrid } from '../../figures/image-grid';
import { recommendOrtSplit } from '../../onnx/engine-choice';
import { loadSamplingModels } from '../../zoo/sampling-engine';
import { sampleWithDdim } from '../../zoo/zoo-sampling';
import { zooPaths } from '../../zoo/workspace';
import { KitError } from '../../util/errors';
import { printExport, resolveEngine, threadsOption, withEngineOption, type EngineOpts } from '../engine-options';
import { positiveIntOption } from '../option-values';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';

export function sampleCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('sample')), 'ONNX Runtime intra-op threads (default: every core, one sampling job)')
    .description('sample images with single-model DDIM from the fixed noise bank and write a PNG grid')
    .requiredOption('--model <id>', 'zoo member id')
    .requiredOption(
      '--steps <n>',
      'number of DDIM steps (= NFE, exactly). Uniform skip: timesteps i * floor(T / n), i < n, the official DDIM range(0, T, T // n) when n divides T; ' +
        'otherwise its first n entries (the official code runs more: e.g. n = 15 at T = 1000 visits 0..924 here, 16 timesteps 0..990 there)',
    )
    .option('--count <n>', 'number of images', '64')
    .option('--skip <type>', 'timestep spacing: uniform | quadratic', 'uniform')
    .option('--eta <x>', 'DDIM eta (0 = deterministic)', '0')
    .option('--out <file.png>', 'output PNG (default: results/<experiment>/zoo/<id>/samples-ddim<N>.png)')
    .action(async (o: ExperimentOpts & EngineOpts & { model: string; steps: string; count: string; skip: string; eta: string; out?: string }) => {
      const exp = resolveExperiment(o);
      const steps = positiveIntOption('steps', o.steps);
      const count = positiveIntOption('count', o.count);
      if (o.skip !== 'uniform' && o.skip !== 'quadratic') throw new KitError(`--skip must be uniform or quadratic, got '${o.skip}'`);
      zooMember(exp.config, o.model); // unknown id -> clear error before any work
      const choice = await resolveEngine(o);
      const threads = threadsOption(o, recommendOrtSplit({ jobs: 1 }).intraOpThreads);
      const [model] = await loadSamplingModels(exp, choice.engine, { models: [o.model], threads, onExport: printExport });
      try {
        const t0 = Date.now();
        const imgs = await sampleWithDdim(exp, model.denoiser, { count, steps, skip: o.skip, eta: Number(o.eta) });
        const file = o.out ?? zooPaths(exp, o.model).sampleGrid(steps);
        const d = exp.config.dataset;
        writeImageGrid(path.resolve(file), imgs, count, d.imageSize, d.imageSize, d.channels, 8);
        console.log(`wrote ${file} (${count} images, DDIM ${steps} steps, ${choice.tag}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } finally {
        await model.dispose();
      }
    });
}

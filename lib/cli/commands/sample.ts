/** `oms-dpm sample`: a DDIM sample grid from one trained zoo model. */
import * as path from 'node:path';
import { Command } from 'commander';
import { initBackend } from '../../engine/backend';
import { writeImageGrid } from '../../figures/image-grid';
import { loadZooModel } from '../../zoo/zoo-model';
import { sampleWithDdim } from '../../zoo/zoo-sampling';
import { zooPaths } from '../../zoo/workspace';
import { KitError } from '../../util/errors';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new KitError(`--${name} must be a positive integer, got '${v}'`);
  return n;
}

export function sampleCommand(): Command {
  return withExperimentOptions(new Command('sample'))
    .description('sample images with single-model DDIM from the fixed noise bank and write a PNG grid')
    .requiredOption('--model <id>', 'zoo member id')
    .requiredOption('--steps <n>', 'number of DDIM steps (NFE)')
    .option('--count <n>', 'number of images', '64')
    .option('--skip <type>', 'timestep spacing: uniform | quadratic', 'uniform')
    .option('--eta <x>', 'DDIM eta (0 = deterministic)', '0')
    .option('--out <file.png>', 'output PNG (default: results/<experiment>/zoo/<id>/samples-ddim<N>.png)')
    .action(async (o: ExperimentOpts & { model: string; steps: string; count: string; skip: string; eta: string; out?: string }) => {
      const exp = resolveExperiment(o);
      const steps = positiveInt('steps', o.steps);
      const count = positiveInt('count', o.count);
      if (o.skip !== 'uniform' && o.skip !== 'quadratic') throw new KitError(`--skip must be uniform or quadratic, got '${o.skip}'`);
      await initBackend();
      const model = loadZooModel(exp, o.model);
      try {
        const t0 = Date.now();
        const imgs = await sampleWithDdim(exp, model.denoiser, { count, steps, skip: o.skip, eta: Number(o.eta) });
        const file = o.out ?? zooPaths(exp, o.model).sampleGrid(steps);
        const d = exp.config.dataset;
        writeImageGrid(path.resolve(file), imgs, count, d.imageSize, d.imageSize, d.channels, 8);
        console.log(`wrote ${file} (${count} images, DDIM ${steps} steps, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } finally {
        model.dispose();
      }
    });
}

/** `oms-dpm scout-member`: a candidate zoo member's learning curve (sample quality against steps) in PyTorch, before hours of TF.js training. */
import { Command } from 'commander';
import { scoutMember } from '../../bench/zoo-scout';
import { initBackend } from '../../tfjs/backend';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';
import { KitError } from '../../util/errors';
import { positiveIntOption, positiveNumberOption } from '../option-values';

interface ScoutOpts extends ExperimentOpts {
  model: string;
  steps: string;
  evalEvery: string;
  samples: string;
  ddimSteps: string;
  threads: string;
  lr?: string;
  emaRates?: string;
}

function emaRateOption(text: string): number {
  const x = Number(text.trim());
  if (!(x > 0 && x < 1)) throw new KitError(`--ema-rates: '${text}' is not a rate in (0, 1)`, { hint: 'e.g. --ema-rates 0.999,0.9995' });
  return x;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function scoutMemberCommand(): Command {
  return withExperimentOptions(new Command('scout-member'))
    .description(
      "train one zoo member's configuration in PyTorch CPU (reference/pytorch/torch_scout.py, the kit's UNet and recipe) and measure its DDIM samples every --eval-every steps " +
        'with the label classifier (confident share, class balance, off-range brightness, FID): the learning curve, before the member is trained with train-zoo; ' +
        'writes results/<experiment>/scout/<model>-<hash of its settings>.json',
    )
    .requiredOption('--model <id>', 'the zoo member whose configuration to scout (change it with --set zoo[<id>].unet...)')
    .option('--steps <n>', 'training steps', '3000')
    .option('--eval-every <n>', 'sample and measure every n steps (and at the last)', '500')
    .option('--samples <n>', 'images sampled at each evaluation', '500')
    .option('--ddim-steps <n>', 'DDIM steps of those samples', '50')
    .option('--threads <n>', 'PyTorch threads', '2')
    .option('--lr <x>', "learning rate (default: the member's training.learningRate)")
    .option('--ema-rates <list>', "comma-separated EMA rates kept side by side over the one run and each sampled (default: the member's training.emaRate)")
    .action(async (o: ScoutOpts) => {
      const exp = resolveExperiment(o);
      // the label classifier that judges the samples runs on TF.js (WASM unless a native backend loads)
      await initBackend();
      const { file, report } = await scoutMember(exp, o.model, {
        steps: positiveIntOption('steps', o.steps),
        evalEvery: positiveIntOption('eval-every', o.evalEvery),
        samples: positiveIntOption('samples', o.samples),
        ddimSteps: positiveIntOption('ddim-steps', o.ddimSteps),
        threads: positiveIntOption('threads', o.threads),
        learningRate: o.lr === undefined ? undefined : positiveNumberOption('lr', o.lr),
        emaRates: o.emaRates === undefined ? undefined : o.emaRates.split(',').map((r) => emaRateOption(r)),
        onEvent: (e) => {
          if (e.kind === 'progress' && e.step % 500 === 0) console.log(`  step ${e.step}: loss ${e.loss.toFixed(4)} (${e.seconds.toFixed(0)} s)`);
          if (e.kind === 'point') {
            const q = e.point.quality;
            console.log(`step ${e.point.step}, EMA ${e.point.emaRate}: confident ${pct(q.confident)}, largest class ${pct(q.largestClassShare)}, off-range ${pct(q.offRange)}, FID ${e.point.fid.toFixed(1)}`);
          }
        },
      });
      console.log(`real validation images: confident ${pct(report.real.confident)}, largest class ${pct(report.real.largestClassShare)}, off-range ${pct(report.real.offRange)}`);
      console.log(`${o.model}: ${report.params} parameters; wrote ${file}`);
    });
}

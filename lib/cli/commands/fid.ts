/**
 * `oms-dpm fid A B`: FID between two image folders or pytorch-fid-style .npz statistics files;
 * `oms-dpm fid-reference --experiment NAME`: build the experiment's feature network and reference
 * statistics.
 */
import * as fs from 'node:fs';
import { Command } from 'commander';
import { loadExperiment } from '../../config/index';
import { initBackend } from '../../tfjs/backend';
import { KitError } from '../../util/errors';
import type { FeatureExtractor } from '../../metrics/feature-extractor';
import { ensureFidReference, loadFeatureExtractor } from '../../metrics/fid-reference';
import { readStatsNpz } from '../../metrics/fid-stats-file';
import { featureStats, frechetDistance, type GaussianStats } from '../../metrics/frechet-distance';
import { readImageFolder } from '../../metrics/folder-images';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';
import { ProgressLine } from '../progress';

async function statsOf(arg: string, getExtractor: () => Promise<{ ex: FeatureExtractor; channels: 1 | 3 }>): Promise<{ stats: GaussianStats; what: string }> {
  if (arg.endsWith('.npz')) return { stats: readStatsNpz(arg), what: `statistics ${arg}` };
  if (!fs.existsSync(arg)) throw new KitError(`${arg} does not exist`, { hint: 'give an image folder or an .npz file with mu and sigma' });
  const { ex, channels } = await getExtractor();
  const imgs = readImageFolder(arg, channels);
  const f = await ex.features(imgs.pixels, imgs.count, imgs.height, imgs.width, channels);
  return { stats: featureStats(f, imgs.count, ex.dim), what: `${imgs.count} images in ${arg}` };
}

export function fidCommand(): Command {
  return new Command('fid')
    .description('FID between A and B, each an image folder (.png/.jpg) or an .npz with mu and sigma (pytorch-fid layout)')
    .argument('<A>', 'image folder or .npz statistics')
    .argument('<B>', 'image folder or .npz statistics')
    .option('--experiment <name>', "experiment whose feature network embeds image folders (needed unless both are .npz)")
    .option('--profile <name>', 'profile of that experiment', 'default')
    .option('--json', 'print {"fid": value}', false)
    .action(async (a: string, b: string, o: { experiment?: string; profile: string; json: boolean }) => {
      let cached: { ex: FeatureExtractor; channels: 1 | 3 } | null = null;
      const getExtractor = async () => {
        if (cached) return cached;
        if (!o.experiment) throw new KitError('comparing image folders needs a feature network', { hint: 'add --experiment NAME (its fid-reference must exist: oms-dpm fid-reference --experiment NAME)' });
        await initBackend();
        const exp = loadExperiment(o.experiment, { profile: o.profile });
        cached = { ex: await loadFeatureExtractor(exp), channels: exp.config.dataset.channels === 1 ? 1 : 3 };
        return cached;
      };
      const sa = await statsOf(a, getExtractor);
      const sb = await statsOf(b, getExtractor);
      if (sa.stats.dim !== sb.stats.dim) throw new KitError(`feature dimensions differ: ${sa.what} has ${sa.stats.dim}, ${sb.what} has ${sb.stats.dim}`, { hint: 'both sides must come from the same feature network' });
      const fid = frechetDistance(sa.stats, sb.stats);
      if (o.json) console.log(JSON.stringify({ fid }));
      else console.log(`FID ${fid.toFixed(4)} between ${sa.what} and ${sb.what}${cached ? ` (features: ${(cached as { ex: FeatureExtractor }).ex.describe()})` : ''}`);
    });
}

export function fidReferenceCommand(): Command {
  return withExperimentOptions(new Command('fid-reference'))
    .description("train the experiment's FID feature network (offline datasets) and compute the training split's reference statistics")
    .action(async (o: ExperimentOpts) => {
      const exp = resolveExperiment(o);
      await initBackend();
      const bar = new ProgressLine();
      const ref = await ensureFidReference(exp, (what, done, total) => bar.update(done, total, what));
      console.log(`FID reference: ${ref.images} training-split images; features: ${ref.description}`);
    });
}

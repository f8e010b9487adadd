/**
 * FID reference statistics on disk in the pytorch-fid layout: an .npz with float64 arrays `mu`
 * (d) and `sigma` (d x d), so statistics can be exchanged with pytorch-fid and the official code
 * (as long as the same feature network made both sides).
 */
import * as fs from 'node:fs';
import { readNpz, writeNpz } from '../data/npz';
import { npyDataToNumbers } from '../data/npy';
import { KitError } from '../util/errors';
import type { GaussianStats } from './frechet-distance';

export function writeStatsNpz(file: string, s: GaussianStats): void {
  writeNpz(file, {
    mu: { dtype: '<f8', shape: [s.dim], data: s.mu },
    sigma: { dtype: '<f8', shape: [s.dim, s.dim], data: s.sigma },
  });
}

export function readStatsNpz(file: string): GaussianStats {
  if (!fs.existsSync(file)) throw new KitError(`FID statistics file not found: ${file}`, { hint: 'give an existing .npz with arrays mu and sigma (pytorch-fid layout), or an image folder' });
  const z = readNpz(file);
  const mu = z.mu;
  const sigma = z.sigma;
  if (!mu || !sigma) {
    throw new KitError(`${file} is not an FID statistics file: it needs arrays 'mu' and 'sigma', it has ${Object.keys(z).join(', ') || 'none'}`, {
      hint: 'write statistics in the pytorch-fid layout (np.savez(file, mu=mu, sigma=sigma))',
    });
  }
  const d = mu.shape[0];
  if (mu.shape.length !== 1 || sigma.shape.length !== 2 || sigma.shape[0] !== d || sigma.shape[1] !== d) {
    throw new KitError(`${file}: mu has shape [${mu.shape}] and sigma [${sigma.shape}]; expected [d] and [d, d]`);
  }
  return { mu: npyDataToNumbers(mu.data), sigma: npyDataToNumbers(sigma.data), dim: d };
}

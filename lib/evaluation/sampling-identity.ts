/**
 * What an FID of a schedule depends on, besides the schedule and the solver: the zoo's weights
 * (by content hash), the noise bank, clipping, the noise schedule, the FID reference and the image
 * count. Stored results (collection records, observation points) are reused exactly while this
 * stays the same, whatever else in the experiment config changes.
 */
import type { ResolvedExperiment } from '../config/index';
import { readTensorFile } from '../diffusion/tensor-file';
import { referenceKey } from '../metrics/fid-reference';
import { zooPaths } from '../zoo/workspace';

export function samplingIdentity(exp: ResolvedExperiment): Record<string, unknown> {
  const weights = exp.config.zoo.map((m) => readTensorFile(zooPaths(exp, m.id).weights, `weights of zoo model '${m.id}'`).sha256);
  const { noiseBankSeed, clipDenoised } = exp.config.sampling;
  return { weights, noiseBankSeed, clipDenoised, diffusion: exp.config.diffusion, fid: referenceKey(exp), images: exp.config.fid.images };
}

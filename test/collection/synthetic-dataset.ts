/**
 * A schedule-FID dataset with a synthetic, learnable FID (fewer NFE and the small model cost
 * quality), written through the real dataset file, for tests that need a predictor to train on.
 */
import { datasetFile } from '../../lib/collection/collect';
import { appendRecord, openDataset } from '../../lib/collection/dataset-file';
import { jobFor, splitOf } from '../../lib/collection/schedule-job';
import type { ResolvedExperiment } from '../../lib/config/index';

/** `count` DDIM records of a 2-model experiment (ids 0..count-1, the collection's schedules and splits). */
export function writeSyntheticDdimDataset(exp: ResolvedExperiment, count: number): void {
  const c = exp.config.collection;
  const file = datasetFile(exp, 'ddim');
  openDataset(file, { kind: 'oms-dpm-schedule-fid-dataset', version: 1, experiment: exp.config.name, solver: 'ddim', length: c.ddimLength, numModels: 2, recordKey: 'k', featureNetwork: 'synthetic', images: 64, scheduleSeed: c.seed, splitSeed: c.splitSeed, trainRatio: c.trainRatio });
  for (let id = 0; id < count; id++) {
    const { schedule } = jobFor(c, 'ddim', 2, 1000, id);
    const fid = 100 - 7 * schedule.filter((m) => m === 2).length - 3 * schedule.filter((m) => m === 1).length;
    appendRecord(file, { id, split: splitOf(c, id), solver: 'ddim', schedule, fid, costMs: null, nfe: schedule.filter((m) => m > 0).length, images: 64, seed: 0, configHash: exp.hash, engine: 'synthetic', seconds: 0 });
  }
}

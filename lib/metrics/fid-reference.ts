/**
 * The FID reference of an experiment: the feature extractor (for the offline datasets a label
 * classifier trained here; else a TF.js model from `fid.featureNetwork`) and the statistics of
 * the training split. Written under results/<experiment>/fid/ and reused while the config that
 * made them is unchanged.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResolvedExperiment } from '../config/index';
import { hashOf, storedWeightsKey } from '../config/index';
import { loadDataset } from '../data/registry';
import { subsetDataset, type ImageDataset } from '../data/image-dataset';
import { writeTensorFile } from '../diffusion/tensor-file';
import { makeProvenance } from '../config/provenance';
import { writeJsonAtomic } from '../util/atomic-file';
import { KitError } from '../util/errors';
import { trainingData } from '../zoo/train-zoo';
import { resultsDir } from '../zoo/workspace';
import { loadLabelClassifier, loadTfjsFeatureModel, type FeatureExtractor, type FeatureNetMeta } from './feature-extractor';
import { trainFeatureNet } from './feature-network-training';
import { featureStats, type GaussianStats } from './frechet-distance';
import { readStatsNpz, writeStatsNpz } from './fid-stats-file';
import { readJsonFile } from '../util/json-file';

export function fidPaths(exp: ResolvedExperiment) {
  const dir = path.join(resultsDir(exp), 'fid');
  return { dir, featureNet: path.join(dir, 'feature-net.bin'), stats: path.join(dir, 'reference-stats.npz'), summary: path.join(dir, 'reference.json') };
}

/**
 * What the reference depends on: the data, the split and the feature-network settings; for the
 * label classifier also the precision its weights are stored in, unless float32 (storage.weights
 * came later: references made before it stay current).
 */
export function referenceKey(exp: ResolvedExperiment): string {
  const { dataset, fid } = exp.config;
  const stored = fid.featureNetwork === 'label-classifier' ? storedWeightsKey(exp.config) : {};
  return hashOf({ dataset: { ...dataset, root: undefined }, featureNetwork: fid.featureNetwork, classifierEpochs: fid.classifierEpochs, classifierSeed: fid.classifierSeed, classifierImages: fid.classifierImages, referenceImages: fid.referenceImages, ...stored });
}

export interface FidReference { extractor: FeatureExtractor; stats: GaussianStats; description: string; images: number }

/** All pixels of `ds` (or its first `limit` images), uint8 NHWC. */
export function readAll(ds: ImageDataset, limit: number | null = null): { pixels: Uint8Array; count: number } {
  const count = limit === null ? ds.count : Math.min(limit, ds.count);
  const pixels = new Uint8Array(count * ds.height * ds.width * ds.channels);
  ds.readInto(Array.from({ length: count }, (_, i) => i), pixels);
  return { pixels, count };
}

export async function loadFeatureExtractor(exp: ResolvedExperiment): Promise<FeatureExtractor> {
  const fid = exp.config.fid;
  if (fid.featureNetwork !== 'label-classifier') return loadTfjsFeatureModel(fid.featureNetwork);
  return loadLabelClassifier(fidPaths(exp).featureNet);
}

/**
 * Builds (or reuses) the reference: trains the label classifier if needed, computes the training
 * split's feature statistics. `onProgress` reports classifier training.
 */
export async function ensureFidReference(exp: ResolvedExperiment, onProgress?: (what: string, done: number, total: number) => void): Promise<FidReference> {
  const p = fidPaths(exp);
  const key = referenceKey(exp);
  const fid = exp.config.fid;
  if (fs.existsSync(p.summary) && fs.existsSync(p.stats)) {
    const s = readJsonFile<{ key: string; featureNetwork: string; images: number }>(p.summary, 'FID reference summary', `delete it (and the statistics next to it) and rerun: oms-dpm fid-reference --experiment ${exp.config.name}`);
    if (s.key === key) {
      const extractor = await loadFeatureExtractor(exp);
      return { extractor, stats: readStatsNpz(p.stats), description: extractor.describe(), images: s.images };
    }
  }
  const train = trainingData(exp);
  if (fid.featureNetwork === 'label-classifier') {
    const d = exp.config.dataset;
    const test: ImageDataset = loadDataset(d.name, { root: d.root, part: 'test', imageSize: d.imageSize });
    if (!train.labels || !test.labels) {
      throw new KitError(`dataset ${d.name} has no class labels, so the label-classifier feature network cannot be trained`, {
        hint: 'set fid.featureNetwork to the folder of a TF.js-converted InceptionV3 (model.json + shards)',
      });
    }
    const classifierData = fid.classifierImages === null ? train : subsetDataset(train, Array.from({ length: Math.min(fid.classifierImages, train.count) }, (_, i) => i), `${train.name}[:${fid.classifierImages}]`);
    const storage = exp.config.storage.weights;
    const net = await trainFeatureNet(classifierData, test, { epochs: fid.classifierEpochs, batchSize: 128, learningRate: 1e-3, seed: fid.classifierSeed, storage }, (done, total) => onProgress?.('feature network', done, total));
    const meta: FeatureNetMeta = { kind: 'oms-dpm-feature-net', arch: net.arch, dataset: d.name, testAccuracy: net.testAccuracy, provenance: makeProvenance(exp) };
    writeTensorFile(p.featureNet, meta, net.weights, { dtype: storage });
  }
  // the statistics come from the network as read back from its file (with float16: the rounded weights)
  const extractor = await loadFeatureExtractor(exp);
  const { pixels, count } = readAll(train, fid.referenceImages);
  onProgress?.('reference features', 0, count);
  const feats = await extractor.features(pixels, count, train.height, train.width, train.channels);
  const stats = featureStats(feats, count, extractor.dim);
  writeStatsNpz(p.stats, stats);
  writeJsonAtomic(p.summary, { key, featureNetwork: extractor.describe(), images: count, split: 'train', provenance: makeProvenance(exp) });
  return { extractor, stats, description: extractor.describe(), images: count };
}

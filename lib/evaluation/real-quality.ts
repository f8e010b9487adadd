/**
 * The ceiling of the sample-quality numbers: the same measures on real images the zoo never
 * trained on (the experiment's stored validation split, every image of it). Their 1st..99th
 * percentile of mean intensity is the range a sample's brightness is read against, and their
 * confident share, class balance and off-range share are what a perfect generator would score.
 * Beside them, the real images' own grid (results/<experiment>/real-images.png), laid out as the
 * zoo's sample grids (zoo/<id>/samples-ddim50.png), so a reader compares pictures as well as numbers.
 * Deterministic: the split is stored, the classifier fixed, no randomness is drawn.
 */
import * as path from 'node:path';
import type { ResolvedExperiment } from '../config/index';
import { SAMPLE_GRID_COLUMNS, writeImageGrid } from '../data/image-grid';
import { readAll } from '../metrics/fid-reference';
import type { FeatureExtractor } from '../metrics/feature-extractor';
import { measureImages } from '../metrics/image-measures';
import { intensityRange, noClassifierError, sampleQuality, type IntensityRange, type SampleQuality } from '../metrics/sample-quality';
import { validationData } from '../zoo/train-zoo';
import { resultsDir } from '../zoo/workspace';

/** Images of the real-image grid: as many as a member's sample grid holds by default (train-zoo --grid). */
export const REAL_GRID_IMAGES = 64;

export function realImageGridFile(exp: ResolvedExperiment): string {
  return path.join(resultsDir(exp), 'real-images.png');
}

/** The first REAL_GRID_IMAGES images of the validation split (a seeded random draw from the training set, dataset.splitSeed, kept in dataset order) as one PNG grid. */
export function writeRealImageGrid(exp: ResolvedExperiment): string {
  const data = validationData(exp);
  const { pixels, count } = readAll(data, REAL_GRID_IMAGES);
  const file = realImageGridFile(exp);
  writeImageGrid(file, pixels, count, data.height, data.width, data.channels, SAMPLE_GRID_COLUMNS);
  return file;
}

export interface RealImageQuality {
  range: IntensityRange;
  quality: SampleQuality;
}

/** The validation split's intensity range and its sample quality against that range (the ceiling). */
export async function realImageQuality(exp: ResolvedExperiment, extractor: FeatureExtractor): Promise<RealImageQuality> {
  // fail before reading and featurising thousands of images
  if (!extractor.classProbabilities) throw noClassifierError();
  const data = validationData(exp);
  const { pixels, count } = readAll(data);
  const m = await measureImages(extractor, pixels, count, { height: data.height, width: data.width, channels: data.channels });
  const range = intensityRange(m.meanIntensity);
  return { range, quality: sampleQuality(m, range) };
}


/**
 * The ceiling of the sample-quality numbers: the same measures on real images the zoo never
 * trained on (the experiment's stored validation split, every image of it). Their 1st..99th
 * percentile of mean intensity is the range a sample's brightness is read against, and their
 * confident share, class balance and off-range share are what a perfect generator would score.
 * Deterministic: the split is stored, the classifier fixed, no randomness is drawn.
 */
import type { ResolvedExperiment } from '../config/index';
import { readAll } from '../metrics/fid-reference';
import type { FeatureExtractor } from '../metrics/feature-extractor';
import { measureImages } from '../metrics/image-measures';
import { intensityRange, noClassifierError, sampleQuality, type IntensityRange, type SampleQuality } from '../metrics/sample-quality';
import { validationData } from '../zoo/train-zoo';

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


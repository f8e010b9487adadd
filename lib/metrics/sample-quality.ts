/**
 * How recognisable a set of samples is, in numbers FID hides: with the experiment's label
 * classifier (the FID feature network's head), the share of samples it assigns to one class with
 * probability >= 0.9 ("confident"), the mean top probability, and the class histogram; and the
 * share of samples whose mean intensity lies outside the real data's 1st..99th percentile
 * ("off-range": the bright speckled squares of an under-trained zoo, which no real image is).
 * The same numbers on real held-out images are the ceiling the samples are read against.
 */
import { KitError } from '../util/errors';
import type { ImageMeasures } from './image-measures';

/** A sample counts as confidently classified at this top probability or more. */
export const CONFIDENT_PROBABILITY = 0.9;
/** The real data's mean-intensity range is from this percentile to 100 minus it. */
export const INTENSITY_PERCENTILE = 1;

/** The real data's per-image mean intensity between its 1st and 99th percentile. */
export interface IntensityRange {
  low: number;
  high: number;
  /** real images the percentiles were read from */
  images: number;
}

export interface SampleQuality {
  images: number;
  /** share with top probability >= CONFIDENT_PROBABILITY */
  confident: number;
  meanTopProbability: number;
  /** samples per class (index = class) */
  classCounts: number[];
  largestClassShare: number;
  smallestClassCount: number;
  /** share with mean intensity outside [range.low, range.high] */
  offRange: number;
  /** share above range.high (the bright failure) */
  tooBright: number;
}

/** The p-th percentile (0..100) of `xs` by linear interpolation between order statistics (numpy's default). */
export function percentile(xs: ArrayLike<number>, p: number): number {
  if (xs.length === 0) throw new RangeError('percentile of no values');
  const s = Float64Array.from(xs).sort();
  const pos = (p / 100) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (pos - lo) * (s[hi] - s[lo]);
}

/** The 1st..99th percentile range of real images' mean intensities. */
export function intensityRange(meanIntensity: ArrayLike<number>): IntensityRange {
  return { low: percentile(meanIntensity, INTENSITY_PERCENTILE), high: percentile(meanIntensity, 100 - INTENSITY_PERCENTILE), images: meanIntensity.length };
}

/** The error of sample quality without a label classifier (a bare feature network such as InceptionV3's pool features). */
export function noClassifierError(): KitError {
  return new KitError('sample quality needs a label classifier, and the FID feature network of this experiment is not one', {
    hint: 'sample-quality runs on the offline datasets (fid.featureNetwork: label-classifier)',
  });
}

/** The quality numbers of a measured image set against the real data's intensity range. */
export function sampleQuality(m: ImageMeasures, range: IntensityRange): SampleQuality {
  if (m.topClass === null || m.topProb === null || m.classes === null) throw noClassifierError();
  if (m.count === 0) throw new KitError('sample quality of no images', { hint: 'measure at least one image' });
  const classCounts = new Array<number>(m.classes).fill(0);
  let confident = 0;
  let probSum = 0;
  let below = 0;
  let above = 0;
  for (let i = 0; i < m.count; i++) {
    classCounts[m.topClass[i]]++;
    probSum += m.topProb[i];
    if (m.topProb[i] >= CONFIDENT_PROBABILITY) confident++;
    if (m.meanIntensity[i] < range.low) below++;
    else if (m.meanIntensity[i] > range.high) above++;
  }
  return {
    images: m.count,
    confident: confident / m.count,
    meanTopProbability: probSum / m.count,
    classCounts,
    largestClassShare: Math.max(...classCounts) / m.count,
    smallestClassCount: Math.min(...classCounts),
    offRange: (below + above) / m.count,
    tooBright: above / m.count,
  };
}

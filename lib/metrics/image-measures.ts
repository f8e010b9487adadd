/**
 * What the held-out evaluation keeps of a set of generated images: per image its FID features, the
 * label classifier's most probable class with that probability, and its mean intensity. From these
 * alone come the FID with a bootstrap interval (fid-bootstrap.ts), paired FID differences between
 * two schedules on the same noise-bank images, and the sample-quality numbers (sample-quality.ts);
 * the images themselves are not kept.
 *
 * Measures cross process boundaries (scoring workers) as `EncodedMeasures`: the arrays as base64 of
 * their little-endian bytes, which is exact and about 6x smaller than JSON numbers.
 */
import type { FeatureExtractor } from './feature-extractor';

export interface ImageMeasures {
  count: number;
  /** feature dimension d */
  dim: number;
  /** FID features [count * dim] */
  features: Float32Array;
  /** classes of the classifier, or null when the extractor is not a label classifier */
  classes: number | null;
  /** per image: the most probable class (null without a classifier) */
  topClass: Int32Array | null;
  /** per image: that class's probability (null without a classifier) */
  topProb: Float32Array | null;
  /** per image: mean pixel value in [0, 1] over all pixels and channels */
  meanIntensity: Float32Array;
}

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/** Per-image mean intensity in [0, 1] of `count` uint8 images of `pixelsPerImage` values each. */
export function meanIntensities(images: Uint8Array, count: number, pixelsPerImage: number): Float32Array {
  if (images.length !== count * pixelsPerImage) throw new RangeError(`meanIntensities: ${images.length} bytes is not ${count} images of ${pixelsPerImage}`);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let s = 0;
    const off = i * pixelsPerImage;
    for (let j = 0; j < pixelsPerImage; j++) s += images[off + j];
    out[i] = s / (255 * pixelsPerImage);
  }
  return out;
}

/** The measures of `count` uint8 NHWC images. */
export async function measureImages(extractor: FeatureExtractor, images: Uint8Array, count: number, shape: ImageShape): Promise<ImageMeasures> {
  const { height: h, width: w, channels: c } = shape;
  const features = await extractor.features(images, count, h, w, c);
  let classes: number | null = null;
  let topClass: Int32Array | null = null;
  let topProb: Float32Array | null = null;
  if (extractor.classProbabilities) {
    const p = await extractor.classProbabilities(images, count, h, w, c);
    classes = p.classes;
    topClass = new Int32Array(count);
    topProb = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      let best = 0;
      for (let k = 1; k < p.classes; k++) if (p.probs[i * p.classes + k] > p.probs[i * p.classes + best]) best = k;
      topClass[i] = best;
      topProb[i] = p.probs[i * p.classes + best];
    }
  }
  return { count, dim: extractor.dim, features, classes, topClass, topProb, meanIntensity: meanIntensities(images, count, h * w * c) };
}

export interface EncodedMeasures {
  count: number;
  dim: number;
  classes: number | null;
  features: string;
  topClass: string | null;
  topProb: string | null;
  meanIntensity: string;
}

const b64 = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function decode<T extends Float32Array | Int32Array>(text: string, make: (b: ArrayBuffer) => T, length: number, what: string): T {
  const buf = Buffer.from(text, 'base64');
  const copy = new ArrayBuffer(buf.byteLength);
  new Uint8Array(copy).set(buf);
  const a = make(copy);
  if (a.length !== length) throw new RangeError(`image measures: ${what} has ${a.length} values, expected ${length}`);
  return a;
}

export function encodeMeasures(m: ImageMeasures): EncodedMeasures {
  return {
    count: m.count,
    dim: m.dim,
    classes: m.classes,
    features: b64(m.features),
    topClass: m.topClass && b64(m.topClass),
    topProb: m.topProb && b64(m.topProb),
    meanIntensity: b64(m.meanIntensity),
  };
}

export function decodeMeasures(e: EncodedMeasures): ImageMeasures {
  const f32 = (b: ArrayBuffer) => new Float32Array(b);
  return {
    count: e.count,
    dim: e.dim,
    classes: e.classes,
    features: decode(e.features, f32, e.count * e.dim, 'features'),
    topClass: e.topClass === null ? null : decode(e.topClass, (b) => new Int32Array(b), e.count, 'top classes'),
    topProb: e.topProb === null ? null : decode(e.topProb, f32, e.count, 'top probabilities'),
    meanIntensity: decode(e.meanIntensity, f32, e.count, 'mean intensities'),
  };
}

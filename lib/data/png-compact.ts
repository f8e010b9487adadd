/**
 * Lossless PNG compaction for rendered figures: Chromium writes every screenshot as RGBA, but a
 * figure is opaque and often grey (tables, the sample-grid comparison). An opaque RGBA PNG is
 * re-encoded as grey (colour type 0) when every pixel has R = G = B, else as RGB, with whichever of
 * two zlib settings gives fewer bytes; the decoded pixels are exactly the input's. A PNG with any
 * transparency is returned unchanged.
 */
import { PNG } from 'pngjs';
import { encodePng, type PngDeflate } from './image-encode';

/** Tried in turn, the smallest kept: no row filter (flat plots, tables) and adaptive filters (sample grids). */
const SETTINGS: PngDeflate[] = [
  { deflateStrategy: 0, filterType: 0 },
  { deflateStrategy: 0, filterType: -1 },
];

/** The smallest lossless grey or RGB encoding of `png` (bytes of any PNG), or `png` itself if it is smaller or not opaque. */
export function compactPng(png: Buffer): Buffer {
  const decoded = PNG.sync.read(png);
  const { width, height, data } = decoded;
  const pixels = width * height;
  let grey = true;
  for (let p = 0; p < pixels; p++) {
    if (data[4 * p + 3] !== 255) return png;
    if (grey && (data[4 * p] !== data[4 * p + 1] || data[4 * p] !== data[4 * p + 2])) grey = false;
  }
  const channels = grey ? 1 : 3;
  const out = new Uint8Array(pixels * channels);
  for (let p = 0; p < pixels; p++) for (let k = 0; k < channels; k++) out[p * channels + k] = data[4 * p + k];
  let best = png;
  for (const s of SETTINGS) {
    const candidate = encodePng({ height, width, channels, data: out }, s);
    if (candidate.length < best.length) best = candidate;
  }
  return best;
}

/**
 * The fixed bank of starting noises x_T shared by every schedule of an experiment, so that FIDs of
 * different schedules are paired comparisons. Image i's noise depends only on (seed, i): any
 * subset or prefix of the bank is reproducible without generating the rest.
 */
import { fillNormal, streamRng } from '../engine/rng';

/** x_T for images [start, start + count), NHWC float32. */
export function noiseBank(seed: number, start: number, count: number, shape: { height: number; width: number; channels: number }): Float32Array {
  const d = shape.height * shape.width * shape.channels;
  const out = new Float32Array(count * d);
  for (let i = 0; i < count; i++) fillNormal(out.subarray(i * d, (i + 1) * d), streamRng(seed, 'xT', start + i));
  return out;
}

/**
 * A folder of sampled images that other tools can use as it is: one PNG per image named by its
 * noise-bank index (`000123.png`: image 123 of the bank, so two folders sampled from the same
 * images pair up by name), `images.npz` with the same pixels as one uint8 array `images` of shape
 * [count, H, W, C] (numpy.load reads it), and `samples.json` saying how they were made.
 * `oms-dpm fid DIR REF` reads the PNGs (it reads every .png/.jpg of a folder, so the folder must
 * hold this run's images only: `checkSampleFolder` refuses one with other images in it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writePng } from '../data/image-encode';
import { writeNpz } from '../data/npz';
import { writeJsonAtomic } from '../util/atomic-file';
import { KitError } from '../util/errors';

export const SAMPLE_FOLDER_KIND = 'oms-dpm-samples';
export const SAMPLES_NPZ = 'images.npz';
export const SAMPLES_JSON = 'samples.json';
const IMAGE_FILE = /\.(png|jpe?g)$/i;

/** How a sample folder was made (samples.json). */
export interface SampleFolderRecord {
  kind: typeof SAMPLE_FOLDER_KIND;
  version: 1;
  experiment: string;
  profile: string;
  configHash: string;
  solver: string;
  /** the model schedule run (official encoding), or null for a single-model DDIM run */
  schedule: number[] | null;
  /** set when the run was named by --model: the member and its settings */
  model: { id: string; steps: number; skip: string; eta: number } | null;
  nfe: number;
  /** what the run is, in words */
  label: string;
  /** engine tag (onnxruntime-cpu, tfjs-wasm, ...) and the engine choice's reason */
  engine: string;
  engineReason: string;
  /** sha256 of the EMA weights of each zoo member the run called */
  weights: Record<string, string>;
  /** images start..start+count-1 of the bank of `seed`; experimentBank: it is the experiment's `sampling.noiseBankSeed` bank, the one every FID of the kit uses */
  noiseBank: { seed: number; start: number; count: number; experimentBank: boolean };
  image: { height: number; width: number; channels: number };
  clipDenoised: boolean;
  batchSize: number;
  /** PNG names in order (image start + i is files[i]) */
  files: string[];
  /** sampling alone; total from the start of the run (loading, ONNX export if any) up to writing the files */
  seconds: { sampling: number; total: number };
  createdAt: string;
}

/** `000123.png`: the PNG of noise-bank image 123 (six digits, more for larger indices). */
export function sampleFileName(index: number): string {
  return `${String(index).padStart(6, '0')}.png`;
}

/**
 * Refuses a folder that holds images this run would not write (`fid` would count them): an empty
 * or new folder, or one holding exactly a subset of this run's file names, is fine.
 */
export function checkSampleFolder(dir: string, start: number, count: number): void {
  if (!fs.existsSync(dir)) return;
  if (!fs.statSync(dir).isDirectory()) throw new KitError(`--out-dir ${dir} is a file, not a folder`, { hint: 'give a folder path (it is created if missing)' });
  const ours = new Set(Array.from({ length: count }, (_, i) => sampleFileName(start + i)));
  const foreign = fs.readdirSync(dir).filter((f) => IMAGE_FILE.test(f) && !ours.has(f));
  if (foreign.length > 0) {
    throw new KitError(`--out-dir ${dir} already holds ${foreign.length} image(s) this run would not write (e.g. ${foreign.sort()[0]})`, {
      hint: 'choose a new or empty folder, or delete those images: `oms-dpm fid` reads every image of a folder',
    });
  }
}

/**
 * Writes the PNGs, images.npz and samples.json (`images`: uint8 NHWC, `count` images of h x w x c;
 * image i is noise-bank image record.noiseBank.start + i). samples.json is written last: a folder
 * with it is complete.
 */
export function writeSampleFolder(dir: string, images: Uint8Array, record: Omit<SampleFolderRecord, 'files'>): SampleFolderRecord {
  const { height, width, channels } = record.image;
  const { start, count } = record.noiseBank;
  const d = height * width * channels;
  if (images.length !== count * d) throw new RangeError(`writeSampleFolder: ${images.length} bytes for ${count} images of ${d}`);
  fs.rmSync(path.join(dir, SAMPLES_JSON), { force: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = sampleFileName(start + i);
    writePng(path.join(dir, name), { height, width, channels, data: images.subarray(i * d, (i + 1) * d) });
    files.push(name);
  }
  writeNpz(path.join(dir, SAMPLES_NPZ), { images: { dtype: '|u1', shape: [count, height, width, channels], data: images } });
  const full: SampleFolderRecord = { ...record, files };
  writeJsonAtomic(path.join(dir, SAMPLES_JSON), full);
  return full;
}

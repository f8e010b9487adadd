import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import seedrandom from 'seedrandom';
import { KitError } from '../util/errors';
import { writeJsonAtomic } from '../util/atomic-file';
import { imageByteLength, ImageDataset } from './image-dataset';

/**
 * A train/validation split of a dataset's indices, drawn once and stored, so every later run
 * (and every machine) evaluates on exactly the same held-out images. The file records what it was
 * drawn from; a file that no longer matches its dataset is refused, never silently re-drawn.
 */
export interface SplitFile {
  readonly dataset: string;
  readonly count: number;
  readonly seed: number;
  readonly validationFraction: number;
  readonly fingerprint: string;
  /** Validation indices, ascending. */
  readonly validation: number[];
}

export interface DatasetSplit extends SplitFile {
  /** Every index not in `validation`, ascending. */
  readonly train: number[];
}

/** Images hashed from each end of the dataset for the fingerprint. */
const FINGERPRINT_IMAGES = 16;

/**
 * sha256 over the dataset's size and shape and the pixels (and labels) of its first and last 16
 * images: cheap to compute even for lazy datasets, yet it changes when the files are replaced,
 * re-ordered at the ends, decoded differently or truncated.
 */
export function datasetFingerprint(ds: ImageDataset): string {
  const hash = createHash('sha256');
  hash.update(`${ds.count} ${ds.height}x${ds.width}x${ds.channels}\n`);
  const head = Math.min(FINGERPRINT_IMAGES, ds.count);
  const tailStart = Math.max(head, ds.count - FINGERPRINT_IMAGES);
  const indices: number[] = [];
  for (let i = 0; i < head; i++) indices.push(i);
  for (let i = tailStart; i < ds.count; i++) indices.push(i);
  const pixels = new Uint8Array(indices.length * imageByteLength(ds));
  ds.readInto(indices, pixels);
  hash.update(pixels);
  if (ds.labels !== null) {
    const labels = ds.labels;
    hash.update(Buffer.from(Int32Array.from(indices, (i) => labels[i]).buffer));
  }
  return hash.digest('hex');
}

/** Number of validation images: round(count * fraction) (checkArguments keeps both sides non-empty). */
function validationCount(count: number, fraction: number): number {
  return Math.round(count * fraction);
}

function checkArguments(ds: ImageDataset, seed: number, fraction: number): void {
  if (!Number.isInteger(seed)) {
    throw new KitError(`split: seed must be an integer, got ${seed}`, { hint: 'set an integer seed in the experiment YAML' });
  }
  if (!(fraction > 0 && fraction < 1)) {
    throw new KitError(`split: validation fraction must be between 0 and 1 (exclusive), got ${fraction}`, {
      hint: 'use e.g. 0.1 to hold out 10% of the images',
    });
  }
  const k = validationCount(ds.count, fraction);
  if (k < 1 || k > ds.count - 1) {
    throw new KitError(`split: a validation fraction of ${fraction} of ${ds.count} images in ${ds.name} leaves ${k} validation and ${ds.count - k} train images`, {
      hint: 'choose a fraction that leaves at least one image on each side',
    });
  }
}

/**
 * Draws the validation indices: the first round(count*fraction) entries of a Fisher-Yates
 * permutation driven by seedrandom's alea generator seeded with `seed`, sorted ascending.
 * Pure function of (count, seed, fraction).
 */
export function drawValidationIndices(count: number, seed: number, fraction: number): number[] {
  const k = validationCount(count, fraction);
  const random = seedrandom.alea(String(seed));
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (count - i));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return Array.from(order.subarray(0, k)).sort((a, b) => a - b);
}

function withTrain(split: SplitFile): DatasetSplit {
  const inValidation = new Uint8Array(split.count);
  for (const i of split.validation) inValidation[i] = 1;
  const train: number[] = [];
  for (let i = 0; i < split.count; i++) if (!inValidation[i]) train.push(i);
  return { ...split, train };
}

/** Reads a split file and checks its structure (not yet that it matches a dataset). */
function readSplitFile(file: string): SplitFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new KitError(`split: cannot read ${file} as JSON: ${(cause as Error).message}`, {
      hint: 'delete the file to draw a new split (results evaluated on the old split will no longer be comparable)',
      cause,
    });
  }
  const s = parsed as Partial<SplitFile>;
  const ok =
    typeof s === 'object' && s !== null &&
    typeof s.dataset === 'string' && Number.isInteger(s.count) && Number.isInteger(s.seed) &&
    typeof s.validationFraction === 'number' && typeof s.fingerprint === 'string' && Array.isArray(s.validation);
  if (!ok) {
    throw new KitError(`split: ${file} is not a split file (expected dataset, count, seed, validationFraction, fingerprint, validation)`, {
      hint: 'delete the file to draw a new split, or restore the original file',
    });
  }
  const split = s as SplitFile;
  if (split.validation.length !== validationCount(split.count, split.validationFraction)) {
    throw new KitError(
      `split: ${file} lists ${split.validation.length} validation indices, expected round(${split.count} x ${split.validationFraction})`,
      { hint: 'the file was edited or corrupted; restore it, or delete it to draw a new split' },
    );
  }
  const seen = new Set<number>();
  for (const i of split.validation) {
    if (!Number.isInteger(i) || i < 0 || i >= split.count || seen.has(i)) {
      throw new KitError(`split: ${file} lists validation index ${i}, expected distinct integers in 0..${split.count - 1}`, {
        hint: 'the file was edited or corrupted; restore it, or delete it to draw a new split',
      });
    }
    seen.add(i);
  }
  return split;
}

/**
 * The stored split for `ds` at `file`, or a new one drawn from `seed` and `fraction` and written
 * there atomically. An existing file is only ever checked, never re-drawn: if its dataset name,
 * image count, fingerprint, seed or fraction differ, this throws a KitError saying which.
 */
export function loadOrCreateSplit(file: string, ds: ImageDataset, seed: number, fraction: number): DatasetSplit {
  checkArguments(ds, seed, fraction);
  const fingerprint = datasetFingerprint(ds);
  if (fs.existsSync(file)) {
    const stored = readSplitFile(file);
    const mismatches: string[] = [];
    if (stored.dataset !== ds.name) mismatches.push(`dataset '${stored.dataset}' (now '${ds.name}')`);
    if (stored.count !== ds.count) mismatches.push(`${stored.count} images (now ${ds.count})`);
    else if (stored.fingerprint !== fingerprint) mismatches.push('a dataset fingerprint that the current images do not reproduce');
    if (stored.seed !== seed) mismatches.push(`seed ${stored.seed} (now ${seed})`);
    if (stored.validationFraction !== fraction) mismatches.push(`validation fraction ${stored.validationFraction} (now ${fraction})`);
    if (mismatches.length > 0) {
      throw new KitError(`split: ${file} was drawn for ${mismatches.join(', ')}`, {
        hint:
          'restore the dataset and settings the split was made for, or delete the file to draw a new split ' +
          '(results evaluated on the old split will no longer be comparable)',
      });
    }
    return withTrain(stored);
  }
  const split: SplitFile = {
    dataset: ds.name,
    count: ds.count,
    seed,
    validationFraction: fraction,
    fingerprint,
    validation: drawValidationIndices(ds.count, seed, fraction),
  };
  writeJsonAtomic(file, split);
  return withTrain(split);
}

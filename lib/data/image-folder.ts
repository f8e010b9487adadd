import * as fs from 'node:fs';
import * as path from 'node:path';
import { KitError } from '../util/errors';
import { HwcImage } from './hwc-image';
import { checkReadRequest, imageByteLength, ImageDataset } from './image-dataset';
import { decodeImageFile } from './image-decode';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png']);

/** Plain code-unit order: the same on every machine and locale, so index i is always the same file. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Paths of the files under `dir` (recursively), relative to `dir`, sorted. */
function listFilesRecursive(dir: string): string[] {
  const out: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative === '' ? entry.name : path.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  walk('');
  return out.sort(byCodeUnits);
}

/**
 * The .jpg/.jpeg/.png files under `dir` (recursively, sorted by relative path for determinism).
 * Other files are ignored; a missing folder, or one without a single image, is a KitError naming
 * `dir`, what was expected (`layout`) and a few of the files that were found instead.
 */
export function listImageFiles(dir: string, datasetLabel: string, layout: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new KitError(`${datasetLabel}: expected an image folder at ${dir} (${layout}); it does not exist`, {
      hint: `set dataset.root in the experiment YAML to ${layout}`,
    });
  }
  const all = listFilesRecursive(dir);
  const images = all.filter((f) => IMAGE_EXTENSIONS.has(path.extname(f).toLowerCase()));
  if (images.length === 0) {
    const others = all.length === 0 ? 'it is empty' : `found ${all.length} other files, e.g. ${all.slice(0, 3).join(', ')}`;
    throw new KitError(`${datasetLabel}: expected .jpg or .png images in ${dir} (${layout}); ${others}`, {
      hint: `set dataset.root in the experiment YAML to ${layout}; WebP images must first be converted to PNG or JPEG`,
    });
  }
  return images.map((f) => path.join(dir, f));
}

/**
 * An ImageDataset over image files that decodes lazily: `readInto` reads, decodes and `prepare`s
 * only the requested files, so a 200k-image folder costs nothing until it is sampled. `prepare`
 * turns a decoded RGB image into exactly height x width x 3 (crop/resize), or throws a KitError.
 */
export class ImageFolderDataset implements ImageDataset {
  readonly channels = 3;
  readonly labels = null;
  readonly count: number;

  constructor(
    readonly name: string,
    /** Absolute paths, in dataset order. */
    readonly files: readonly string[],
    readonly height: number,
    readonly width: number,
    private readonly prepare: (image: HwcImage, file: string) => HwcImage,
  ) {
    this.count = files.length;
  }

  /** Decodes and prepares image `index`; exposed for tools that show single images. */
  readImage(index: number): HwcImage {
    const file = this.files[index];
    const prepared = this.prepare(decodeImageFile(file), file);
    if (prepared.height !== this.height || prepared.width !== this.width || prepared.channels !== this.channels) {
      throw new Error(
        `${this.name}: preparing ${file} gave ${prepared.height}x${prepared.width}x${prepared.channels}, expected ${this.height}x${this.width}x3`,
      );
    }
    return prepared;
  }

  readInto(indices: ArrayLike<number>, out: Uint8Array): void {
    checkReadRequest(this, indices, out);
    const imageBytes = imageByteLength(this);
    for (let i = 0; i < indices.length; i++) out.set(this.readImage(indices[i]).data, i * imageBytes);
  }
}

/** Checks a configured output image side (dataset.imageSize) before any file is touched. */
export function checkImageSize(datasetLabel: string, imageSize: number): void {
  if (!Number.isInteger(imageSize) || imageSize < 1 || imageSize > 4096) {
    throw new KitError(`${datasetLabel}: imageSize must be an integer from 1 to 4096, got ${imageSize}`, {
      hint: 'set dataset.imageSize in the experiment YAML to the side length the model expects (e.g. 64 or 256)',
    });
  }
}

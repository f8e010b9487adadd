/**
 * model.onnx as a file on disk: a zoo export round trip, and every way the file can be wrong
 * (missing, truncated, not ONNX, unloadable graph, exported from other weights or another
 * architecture) refused with a KitError whose hint is the re-export command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadExperiment } from '../../lib/config/index';
import { writeTensorFile } from '../../lib/diffusion/tensor-file';
import { countParams, planUNet, type UNetArch } from '../../lib/diffusion/unet-spec';
import { OnnxGraphBuilder } from '../../lib/onnx/graph-builder';
import { OnnxModel, onnxDenoiser } from '../../lib/onnx/onnx-denoiser';
import { ONNX_EXPORT_FORMAT, META_KEYS, exportMetadata } from '../../lib/onnx/onnx-metadata';
import { unetToOnnx } from '../../lib/onnx/unet-to-onnx';
import { exportZooModelToOnnx, loadOnnxZooModel, zooOnnxPath } from '../../lib/zoo/zoo-onnx';
import { isKitError, type KitError } from '../../lib/util/errors';
import { archFor, loadZooModel, trainingIdentity, type ZooWeightsMeta } from '../../lib/zoo/zoo-model';
import { zooPaths } from '../../lib/zoo/workspace';
import { assertClose, seeded, testWeights, useCpuBackend } from './helpers';
import { tempDir } from '../helpers/temp-dir';

const ARCH: UNetArch = { ch: 4, chMult: [1, 2], numResBlocks: 1, attnResolutions: [4], dropout: 0, groupNormGroups: 2, resamplingConv: true, imageSize: 8, inChannels: 1, outChannels: 1 };

function tmpDir(): string {
  return tempDir('omsdpm-onnx-');
}

function writeModel(sha: string, arch = ARCH): string {
  const plan = planUNet(arch);
  const file = path.join(tmpDir(), 'model.onnx');
  fs.writeFileSync(file, unetToOnnx(plan, testWeights(plan, 5), { weightsSha256: sha }));
  return file;
}

/** A KitError matching `message`, whose hint says how to re-export. */
function kitError(message: RegExp, hint = /export/) {
  return (e: unknown) => {
    assert.ok(isKitError(e), `expected a KitError, got ${String(e)}`);
    assert.match((e as KitError).message, message);
    assert.match((e as KitError).hint ?? '', hint);
    return true;
  };
}

test('a file exported from other weights or another architecture is refused as stale', async () => {
  const file = writeModel('a'.repeat(64));
  const m = await OnnxModel.load(file, { weightsSha256: 'a'.repeat(64), arch: ARCH });
  assert.equal(m.metadata[META_KEYS.format], ONNX_EXPORT_FORMAT);
  assert.deepEqual(m.arch, ARCH);
  await m.release();
  await assert.rejects(OnnxModel.load(file, { weightsSha256: 'b'.repeat(64) }, { fixCommand: 'oms-dpm export-onnx --experiment demo' }), kitError(/stale.*sha256 aaaaaaaaaaaa.*bbbbbbbbbbbb/, /oms-dpm export-onnx --experiment demo/));
  await assert.rejects(OnnxModel.load(file, { arch: { ...ARCH, ch: 8, groupNormGroups: 4 } }), kitError(/stale.*architecture/, /oms-dpm export-onnx --experiment NAME/));
});

test('a missing, truncated or foreign file is a KitError naming it', async () => {
  const file = writeModel('c'.repeat(64));
  const bytes = fs.readFileSync(file);
  await assert.rejects(OnnxModel.load(path.join(path.dirname(file), 'nope.onnx'), {}), kitError(/ONNX model not found: .*nope\.onnx/));
  for (const keep of [Math.floor(bytes.length / 2), 100]) {
    fs.writeFileSync(file, bytes.subarray(0, keep));
    await assert.rejects(OnnxModel.load(file, {}), kitError(/corrupt or truncated/), `truncated to ${keep} bytes`);
  }
  // every cut through the trailing metadata, including cuts exactly between two entries
  for (let keep = bytes.length - 600; keep < bytes.length; keep++) {
    await assert.rejects(OnnxModel.fromBytes(bytes.subarray(0, keep), 'cut'), kitError(/corrupt or truncated|not a complete oms-dpm ONNX export/), `truncated to ${keep} bytes`);
  }
  fs.writeFileSync(file, 'this is not an ONNX model\n');
  await assert.rejects(OnnxModel.load(file, {}), kitError(/corrupt or truncated/));
  // a well-formed protobuf whose graph ONNX Runtime refuses: the error is still the kit's
  const g = new OnnxGraphBuilder();
  g.op('NoSuchOperator', [g.reserve('x')], {}, 'eps');
  fs.writeFileSync(file, g.toModel({ graphName: 'bad', inputs: [{ name: 'x', dims: [1] }], outputs: [{ name: 'eps', dims: [1] }], metadata: exportMetadata(ARCH, { weightsSha256: 'd' }), producerVersion: 'test' }));
  await assert.rejects(OnnxModel.load(file, {}), kitError(/corrupt or truncated: ONNX Runtime cannot load it/));
});

test('a zoo member exports to model.onnx, loads with the same eps as TF.js, and goes stale when retrained', async (t) => {
  await useCpuBackend();
  process.env.OMS_DPM_RESULTS = path.join(tmpDir(), 'results');
  const exp = loadExperiment(path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml'));
  const id = 'b';
  const writeWeights = (seed: number) => {
    const plan = planUNet(archFor(exp.config, id));
    const w = testWeights(plan, seed);
    const meta: ZooWeightsMeta = { kind: 'oms-dpm-zoo-weights', modelId: id, step: seed, identity: trainingIdentity(exp.config, id), params: countParams(plan), provenance: {} };
    writeTensorFile(zooPaths(exp, id).weights, meta, [...w].map(([name, v]) => ({ name, shape: v.shape, data: v.data })));
  };

  writeWeights(1);
  await assert.rejects(loadOnnxZooModel(exp, id), kitError(/ONNX model not found/, /oms-dpm export-onnx --experiment tiny-mnist/));
  const out = exportZooModelToOnnx(exp, id);
  assert.equal(out.file, zooOnnxPath(exp, id));
  assert.deepEqual(fs.readdirSync(path.dirname(out.file)).filter((f) => f.endsWith('.tmp')), [], 'the atomic write left a temp file');

  const onnxModel = await loadOnnxZooModel(exp, id, { intraOpNumThreads: 1 });
  const tfModel = loadZooModel(exp, id);
  try {
    assert.equal(onnxModel.metadata[META_KEYS.modelId], id);
    assert.equal(onnxModel.metadata[META_KEYS.step], '1');
    const S = exp.config.dataset.imageSize;
    const x = tf.tensor4d(seeded(2 * S * S, 9, 1), [2, S, S, 1]);
    const viaOnnx = await onnxDenoiser(onnxModel)(x, 321, 0);
    const viaTf = await tfModel.denoiser(x, 321, 0);
    assert.deepEqual(viaOnnx.shape, [2, S, S, 1]);
    const r = assertClose(viaOnnx.dataSync() as Float32Array, viaTf.dataSync() as Float32Array, 'zoo member b');
    t.diagnostic(`zoo member b (28x28, ch 8): max|diff| ${r.diff.toExponential(2)}, max|ref| ${r.scale.toFixed(3)}`);
    tf.dispose([x, viaOnnx, viaTf]);
  } finally {
    await onnxModel.release();
    tfModel.dispose();
  }

  writeWeights(2); // "retrained": new weights, same architecture
  await assert.rejects(loadOnnxZooModel(exp, id), kitError(/stale.*retrained/, /oms-dpm export-onnx --experiment tiny-mnist/));
  exportZooModelToOnnx(exp, id);
  await (await loadOnnxZooModel(exp, id)).release();
});

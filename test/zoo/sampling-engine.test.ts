/**
 * The sampling-engine seam on the tiny zoo (test/fixtures/tiny-mnist.yaml), trained here in a
 * temporary workspace (OMS_DPM_RESULTS / OMS_DPM_RUNS) on the WASM backend:
 *
 *   - training exports every member to model.onnx (+ model.onnx.json) automatically;
 *   - a two-model DDIM schedule and a two-model DPM-Solver schedule sampled from the same noise-bank
 *     images on TF.js and on ONNX Runtime agree. Tolerance, on the float x_0 before quantisation:
 *       max |x0_onnx - x0_tfjs| <= 1e-3 * max |x0_tfjs| + 1e-4
 *     (per NFE the engines agree to ~1e-6 relative; the samplers divide by alpha at large t and feed
 *     the result back, which amplifies that a little, test/onnx/ddim-engines.test.ts). On the uint8
 *     images: no pixel differs by more than 1 level, and at most 1% of pixels differ at all (a float
 *     difference of 1e-5 flips the rounding of a value that sits on a quantisation boundary);
 *   - a stale model.onnx (weights changed after the export) is re-exported automatically before
 *     use, and so are a truncated file, a damaged file that still parses, and an export that lost
 *     its provenance record; the reason is reported each time;
 *   - the engine choice: OMS_DPM_ENGINE / --engine, auto (ONNX Runtime on a CPU backend, TF.js on
 *     CUDA), the fallback when ONNX Runtime is unavailable, and clear errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadExperiment, type ResolvedExperiment } from '../../lib/config/index';
import { initBackend, type BackendInfo } from '../../lib/tfjs/backend';
import { readTensorFile, writeTensorFile } from '../../lib/diffusion/tensor-file';
import { sampleSchedule, sampleScheduleFloat } from '../../lib/evaluation/sample-schedule';
import { zooOnnxStatus } from '../../lib/zoo/zoo-onnx';
import { profileLatency } from '../../lib/zoo/latency';
import { chooseSamplingEngine, disposeSamplingModels, loadSamplingModels, type OnnxExportEvent, type SamplingModel } from '../../lib/zoo/sampling-engine';
import { trainZoo } from '../../lib/zoo/train-zoo';
import { zooPaths } from '../../lib/zoo/workspace';
import type { ZooWeightsMeta } from '../../lib/zoo/zoo-model';
import { isKitError } from '../../lib/util/errors';
import { tempDir } from '../helpers/temp-dir';

const REL = 1e-3;
const ABS = 1e-4;

let exp: ResolvedExperiment | null = null;

/** The tiny zoo, trained once per process in a fresh workspace. */
async function tinyZoo(): Promise<ResolvedExperiment> {
  if (exp) return exp;
  const dir = tempDir('omsdpm-engines-');
  process.env.OMS_DPM_RESULTS = path.join(dir, 'results');
  process.env.OMS_DPM_RUNS = path.join(dir, 'runs');
  await initBackend('wasm');
  const e = loadExperiment(path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml'));
  const exported: string[] = [];
  await trainZoo(e, { resume: false, onExport: (id, _file, reason) => exported.push(`${id}:${reason}`) });
  assert.deepEqual(exported, ['a:trained', 'b:trained'], 'training exports every member');
  exp = e;
  return e;
}

async function withModels<T>(e: ResolvedExperiment, engine: 'onnx' | 'tfjs', f: (m: SamplingModel[]) => Promise<T>, onExport?: (ev: OnnxExportEvent) => void): Promise<T> {
  const models = await loadSamplingModels(e, engine, { threads: 1, onExport });
  try {
    return await f(models);
  } finally {
    await disposeSamplingModels(models);
  }
}

test('training exports model.onnx; DDIM and DPM-Solver schedules agree on TF.js and ONNX Runtime from the same noise bank', async (t) => {
  const e = await tinyZoo();
  for (const id of ['a', 'b']) {
    assert.equal(zooOnnxStatus(e, id).state, 'current', `${id}: export current after training`);
    const rec = JSON.parse(fs.readFileSync(zooPaths(e, id).onnxProvenance, 'utf8'));
    assert.equal(rec.weightsSha256, readTensorFile(zooPaths(e, id).weights).sha256);
    assert.equal(rec.provenance.configHash, e.hash);
  }
  const cases = [
    { solver: 'ddim' as const, entries: [1, 2, 0, 2, 1, 0, 0, 1, 2, 1] }, // 7 NFEs, both models
    { solver: 'dpm-solver' as const, entries: [2, 1, 0, 1, 2, 2, 0, 0, 0, 1, 0, 0] }, // orders 1, 3, 2 in calling order
  ];
  const req = { start: 3, count: 10, batchSize: 4 }; // a batch of 2 at the end: batch-size independence too
  const run = (engine: 'onnx' | 'tfjs') =>
    withModels(e, engine, async (models) => {
      const den = models.map((m) => m.denoiser);
      const out: { float: Float32Array; uint8: Uint8Array }[] = [];
      for (const c of cases) {
        const before = tf.memory().numTensors;
        out.push({ float: await sampleScheduleFloat(e, den, { ...c, ...req }), uint8: await sampleSchedule(e, den, { ...c, ...req }) });
        assert.equal(tf.memory().numTensors, before, `${engine} ${c.solver}: no tensor leaks`);
      }
      return out;
    });
  const viaTf = await run('tfjs');
  const viaOrt = await run('onnx');
  cases.forEach((c, k) => {
    const a = viaOrt[k].float;
    const b = viaTf[k].float;
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < b.length; i++) {
      assert.ok(Number.isFinite(a[i]) && Number.isFinite(b[i]), `${c.solver}: non-finite output at ${i}`);
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(b[i]));
    }
    assert.ok(diff <= REL * scale + ABS, `${c.solver}: max |x0 diff| ${diff.toExponential(2)} > ${REL} * ${scale.toFixed(3)} + ${ABS}`);
    let differ = 0;
    let maxLevels = 0;
    viaTf[k].uint8.forEach((v, i) => {
      const dl = Math.abs(v - viaOrt[k].uint8[i]);
      if (dl > 0) differ++;
      maxLevels = Math.max(maxLevels, dl);
    });
    assert.ok(maxLevels <= 1, `${c.solver}: a pixel differs by ${maxLevels} levels`);
    assert.ok(differ <= 0.01 * b.length, `${c.solver}: ${differ} of ${b.length} pixels differ`);
    t.diagnostic(`${c.solver}: max |x0 diff| ${diff.toExponential(2)} (max |x0| ${scale.toFixed(3)}); uint8: ${differ}/${b.length} pixels differ, by <= ${maxLevels}`);
  });
});

test('latency tables price the engine that samples', async () => {
  const e = await tinyZoo();
  for (const [engine, tag] of [['tfjs', 'tfjs-wasm'], ['onnx', 'onnxruntime-cpu']] as const) {
    const table = await withModels(e, engine, (models) => profileLatency(e, models, { engine: tag, rounds: 3, warmup: 0 }));
    assert.equal(table.engine, tag);
    assert.deepEqual(Object.keys(table.models), ['a', 'b']);
    assert.ok(table.models.a.medianMs > 0 && table.models.a.samples === 3);
  }
});

test('a stale, truncated, damaged or unrecorded model.onnx is re-exported before use, saying why', async () => {
  const e = await tinyZoo();
  const p = zooPaths(e, 'b');
  const events: OnnxExportEvent[] = [];
  const load = () => withModels(e, 'onnx', async () => undefined, (ev) => events.push(ev));

  // "retrained": new weights, same architecture. The old export must not be used.
  const f = readTensorFile<ZooWeightsMeta>(p.weights);
  const arrays = [...f.arrays].map(([name, v]) => ({ name, shape: v.shape, data: v.data.map((x, i) => x * (1 + 0.01 * Math.sin(i))) }));
  writeTensorFile(p.weights, { ...f.meta, step: f.meta.step + 1 }, arrays);
  assert.equal(zooOnnxStatus(e, 'b').state, 'stale');
  await load();
  assert.equal(events.length, 1);
  assert.equal(events[0].modelId, 'b');
  assert.match(events[0].reason, /^stale: .*sha256.*retrained/);
  assert.equal(zooOnnxStatus(e, 'b').state, 'current');
  // and the fresh export computes what the new weights compute
  const S = e.config.dataset.imageSize;
  const x = tf.randomNormal([2, S, S, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const epsOf = (engine: 'onnx' | 'tfjs') =>
    withModels(e, engine, async (m) => {
      const y = await m[1].denoiser(x, 400, 0);
      const d = y.dataSync() as Float32Array;
      y.dispose();
      return d;
    });
  const ortEps = await epsOf('onnx');
  const tfEps = await epsOf('tfjs');
  x.dispose();
  const scale = Math.max(...tfEps.map(Math.abs));
  ortEps.forEach((v, i) => assert.ok(Math.abs(v - tfEps[i]) <= 1e-4 * scale + 1e-5, `eps ${i}: ${v} vs ${tfEps[i]}`));

  const bytes = fs.readFileSync(p.onnx);
  // the raw bytes of one initializer (the timestep-embedding frequencies of ch 8), to damage the
  // file where it still parses as ONNX
  const half = e.config.zoo[1].unet.ch / 2;
  const freqs = Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) / (half - 1)) * i));
  const at = bytes.indexOf(Buffer.from(freqs.buffer));
  assert.ok(at > 0, 'found the initializer bytes');
  const damage: [string, () => void, RegExp][] = [
    ['truncated', () => fs.writeFileSync(p.onnx, bytes.subarray(0, Math.floor(bytes.length / 2))), /^corrupt: /],
    ['not ONNX', () => fs.writeFileSync(p.onnx, 'garbage\n'), /^corrupt: /],
    ['a weight byte flipped (still parses)', () => { const b = Buffer.from(bytes); b[at + 5] ^= 0x40; fs.writeFileSync(p.onnx, b); }, /^corrupt: .*damaged or replaced/],
    ['provenance record deleted', () => fs.rmSync(p.onnxProvenance), /^stale: .*provenance record/],
    ['missing', () => fs.rmSync(p.onnx), /^missing: /],
  ];
  for (const [what, act, reason] of damage) {
    events.length = 0;
    act();
    assert.notEqual(zooOnnxStatus(e, 'b').state, 'current', what);
    await load();
    assert.equal(events.length, 1, `${what}: re-exported once`);
    assert.match(events[0].reason, reason, what);
    assert.deepEqual(fs.readFileSync(p.onnx), bytes, `${what}: the export is deterministic`);
  }
  // a fresh clone re-makes the uncommitted model.onnx: the committed record of the same bytes stays untouched
  const record = fs.readFileSync(p.onnxProvenance, 'utf8');
  const stamped = JSON.stringify({ ...JSON.parse(record), provenance: { note: 'made in another checkout' } }, null, 2);
  fs.writeFileSync(p.onnxProvenance, stamped);
  fs.rmSync(p.onnx);
  await load();
  assert.equal(fs.readFileSync(p.onnxProvenance, 'utf8'), stamped, 'the record of the same export is kept as committed');
  assert.equal(zooOnnxStatus(e, 'b').state, 'current');
  // a current export is loaded as is
  events.length = 0;
  await load();
  assert.deepEqual(events, []);
});

test('engine choice: OMS_DPM_ENGINE / --engine, auto on CPU and CUDA, fallback and errors', async () => {
  const wasm: BackendInfo = { backend: 'wasm', package: '@tensorflow/tfjs-backend-wasm', version: 'x', device: 'cpu', reason: 'test', tried: [] };
  const cuda: BackendInfo = { ...wasm, backend: 'tensorflow', package: '@tensorflow/tfjs-node-gpu', device: 'cuda' };
  const broken = async () => ({ available: false, version: null, reason: 'onnxruntime-node does not load: test' });
  const saved = process.env.OMS_DPM_ENGINE;
  try {
    delete process.env.OMS_DPM_ENGINE;
    const auto = await chooseSamplingEngine({ backend: wasm });
    assert.deepEqual([auto.engine, auto.tag, auto.source, auto.fallback], ['onnx', 'onnxruntime-cpu', 'default', false]);
    const gpu = await chooseSamplingEngine({ backend: cuda });
    assert.deepEqual([gpu.engine, gpu.tag, gpu.fallback], ['tfjs', 'tfjs-tensorflow', false]);
    assert.match(gpu.reason, /CUDA/);
    const fallback = await chooseSamplingEngine({ backend: wasm, probe: broken });
    assert.deepEqual([fallback.engine, fallback.tag, fallback.fallback], ['tfjs', 'tfjs-wasm', true]);
    assert.match(fallback.reason, /falls back.*does not load: test/);

    process.env.OMS_DPM_ENGINE = 'tfjs';
    const env = await chooseSamplingEngine({ backend: wasm });
    assert.deepEqual([env.engine, env.tag, env.source], ['tfjs', 'tfjs-wasm', 'OMS_DPM_ENGINE']);
    const flag = await chooseSamplingEngine({ backend: cuda, requested: 'onnx' }); // --engine beats the environment
    assert.deepEqual([flag.engine, flag.tag, flag.source], ['onnx', 'onnxruntime-cpu', '--engine']);
    await assert.rejects(chooseSamplingEngine({ backend: wasm, requested: 'onnx', probe: broken }), (err: unknown) => isKitError(err) && /requested.*cannot run here/.test(err.message) && /--engine tfjs/.test(err.hint ?? ''));
    process.env.OMS_DPM_ENGINE = 'torch';
    await assert.rejects(chooseSamplingEngine({ backend: wasm }), (err: unknown) => isKitError(err) && /OMS_DPM_ENGINE=torch/.test(err.message) && /auto, onnx, tfjs/.test(err.hint ?? ''));
  } finally {
    if (saved === undefined) delete process.env.OMS_DPM_ENGINE;
    else process.env.OMS_DPM_ENGINE = saved;
  }
});

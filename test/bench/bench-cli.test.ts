/**
 * `oms-dpm bench` on the tiny fixture with a tiny batch: every field of results/bench.json is
 * there and positive (TF.js, PyTorch and ONNX Runtime per model; search, predictor and collection
 * throughput, the cross-check on a trained zoo), and without a trained zoo the cross-check is
 * skipped with a printed note. The training-parallelism section has its own test (the others skip
 * it): a row per member with positive step times, and a choice among the three strategies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../helpers/temp-dir';

const root = path.join(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'oms-dpm.js');
const tiny = path.join(root, 'test', 'fixtures', 'tiny-mnist.yaml');
const FAST = ['--batch', '8', '--repeats', '1', '--search-generations', '10', '--predictor-schedules', '32', '--memory-steps', '20', '--skip-queue'];

function workspace(): { dir: string; env: Record<string, string> } {
  const dir = tempDir('omsdpm-bench-');
  return { dir, env: { OMS_DPM_RESULTS: path.join(dir, 'results'), OMS_DPM_RUNS: path.join(dir, 'runs') } };
}

function run(args: string[], env: Record<string, string>) {
  const base: Record<string, string | undefined> = { ...process.env, OMS_DPM_BACKEND: 'wasm', ...env };
  delete base.OMS_DPM_ENGINE;
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: base, maxBuffer: 1 << 26 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const positive = (what: string, x: unknown) => assert.ok(typeof x === 'number' && Number.isFinite(x) && x > 0, `${what} = ${String(x)}`);

test('bench --json on a trained tiny zoo: every field present and positive, cross-check on both engines', () => {
  const { dir, env } = workspace();
  const train = run(['train-zoo', '--experiment', tiny, '--grid', '0'], env);
  assert.equal(train.code, 0, train.err);
  const ref = run(['fid-reference', '--experiment', tiny], env);
  assert.equal(ref.code, 0, ref.err);

  const file = path.join(dir, 'bench.json');
  const r = run(['bench', '--experiment', tiny, ...FAST, '--skip-parallel', '--json', '--out', file], env);
  assert.equal(r.code, 0, r.err);
  const printed = JSON.parse(r.out); // --json: stdout is the JSON alone
  const b = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(printed, b);

  assert.equal(b.experiment, 'tiny-mnist');
  assert.equal(b.batch, 8);
  assert.equal(b.backend.backend, 'wasm');
  assert.equal(b.onnxRuntime.available, true);
  const torch = !b.notes.some((n: string) => /PyTorch reference unavailable/.test(n));
  assert.deepEqual(b.models.map((m: { id: string }) => m.id), ['a', 'b']);
  for (const m of b.models) {
    for (const k of ['forwardMs', 'trainMs', 'peakRssMb', 'ortForwardMs1', 'ortForwardMs2', 'ortSpeedup1', 'ortSpeedup2']) positive(`${m.id}.${k}`, m[k]);
    if (torch) for (const k of ['torchForwardMs', 'torchTrainMs', 'forwardRatio', 'trainRatio', 'ortForwardRatio1', 'ortForwardRatio2']) positive(`${m.id}.${k}`, m[k]);
    assert.ok(Math.abs(m.ortSpeedup1 - m.forwardMs / m.ortForwardMs1) < 1e-9);
    for (const prof of [m.forwardProfile, m.trainProfile]) {
      assert.ok(prof.kernels.length > 0 && prof.kernels.length <= 12 && prof.kernelMs > 0 && prof.kernelMs <= prof.wallMs + 1e-6, JSON.stringify(prof));
    }
    assert.ok(m.trainProfile.kernels.some((k: { kernel: string }) => k.kernel === 'Conv2D'), 'the filter gradients run as forward convolutions');
  }

  // memory over steps: nothing leaks, RSS sampled on the way
  assert.equal(b.memory.steps, 20);
  assert.equal(b.memory.numTensors.atEnd, b.memory.numTensors.afterWarmup, 'no tensor leak per training step');
  assert.equal(b.memory.tfBytes.atEnd, b.memory.tfBytes.afterWarmup);
  assert.deepEqual(b.memory.rssMb.map((p: { step: number }) => p.step), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
  assert.ok(Number.isFinite(b.memory.rssGrowthMbPer1kSteps) && Number.isFinite(b.memory.heapGrowthMbPer1kSteps));
  assert.equal(b.memory.gcBeforeSamples, true, 'the memory child runs with --expose-gc');
  assert.equal(b.memory.heapUsedMb.length, b.memory.rssMb.length);
  assert.match(r.err, /memory over 20 training steps/); // --json: progress goes to stderr
  positive('searchSeconds', b.searchSeconds);
  positive('searchSecondsSyntheticScore', b.searchSecondsSyntheticScore);
  assert.equal(b.search.generations, 10);
  assert.equal(b.search.length, 90);
  assert.equal(b.search.solver, 'dpm-solver');
  assert.deepEqual(b.search.latency, [0, ...b.models.map((m: { forwardMs: number }) => m.forwardMs)]);
  assert.equal(b.search.withPredictor.scoreCalls, 11);
  assert.equal(b.search.scorer, 'onnxruntime-cpu');
  assert.equal(b.search.withPredictorTfjs.scoreCalls, 11);
  assert.equal(b.searchSeconds, b.search.withPredictor.seconds);
  positive('predictor ddim', b.predictorSchedulesPerSecond.ddim);
  positive('predictor dpm-solver', b.predictorSchedulesPerSecond['dpm-solver']);
  assert.deepEqual(b.predictor.map((p: { length: number }) => p.length), [100, 60]);
  for (const p of b.predictor as { solver: string; trainingRecords: number; trainEpochMs: number; trainEpochMsPlainMatMul: number }[]) {
    assert.equal(p.trainingRecords, 32);
    positive(`predictor ${p.solver} training epoch`, p.trainEpochMs);
    positive(`predictor ${p.solver} training epoch, plain matMul`, p.trainEpochMsPlainMatMul);
  }
  assert.match(r.err, /predictor training, one epoch on 32 records: ddim L=100: \d+ ms \(with the backend's own flagged matMul \d+ ms, [\d.]+x\)/);

  assert.deepEqual(Object.keys(b.schedulesPerHour).sort(), ['onnxruntime-cpu', 'tfjs-wasm']);
  for (const [engine, bySolver] of Object.entries(b.schedulesPerHour as Record<string, Record<string, number>>)) {
    positive(`${engine} ddim`, bySolver.ddim);
    positive(`${engine} dpm-solver`, bySolver['dpm-solver']);
  }
  assert.equal(b.collection.images, 64);
  positive('feature ms', b.collection.fidScoring.totalMs);
  assert.match(b.collection.fidScoring.network, /^trained label-classifier/);
  for (const e of b.collection.engines) {
    // TF.js WASM and ORT alike: one single-threaded worker per core
    assert.deepEqual([e.workers, e.threadsPerWorker], [b.cores, 1], e.tag);
    assert.equal(e.images, 64);
    positive(`${e.tag} mean model forward`, e.meanModelForwardMs);
  }
  assert.equal(b.collection.checks.length, 2);
  for (const c of b.collection.checks) {
    assert.equal(c.images, 16); // min(fid.images 64, sampling.batchSize 16)
    positive(`${c.engine} measured`, c.measuredSeconds);
    positive(`${c.engine} predicted`, c.predictedSeconds);
    positive(`${c.engine} ratio`, c.ratio);
    assert.ok(Number.isFinite(c.fid));
  }
});

test('bench without a trained zoo: table printed, cross-check skipped with a note, skipped parts are null', () => {
  const { dir, env } = workspace();
  const file = path.join(dir, 'bench.json');
  const r = run(['bench', '--experiment', tiny, ...FAST, '--skip-torch', '--skip-search', '--skip-predictor', '--skip-memory', '--skip-parallel', '--out', file], env);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /model\s+params\s+fwd TF\.js/);
  assert.match(r.out, /note: collection cross-check skipped: no trained zoo/);
  assert.match(r.out, /onnxruntime-cpu\s+\d+ x 1\s+dpm-solver L=6/);
  const b = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(b.searchSeconds, null);
  assert.equal(b.memory, null);
  assert.equal(b.predictorSchedulesPerSecond, null);
  assert.equal(b.trainingParallelism, null);
  assert.equal(b.models[0].torchForwardMs, undefined);
  positive('ORT a', b.models[0].ortForwardMs1);
  assert.deepEqual(b.collection.checks, []);
  assert.match(b.collection.fidScoring.network, /random weights/);
  positive('tfjs-wasm dpm-solver', b.schedulesPerHour['tfjs-wasm']['dpm-solver']);
});

test('bench training parallelism: alone, two at once and data-parallel per member, the zoo in hours, a choice', () => {
  const { dir, env } = workspace();
  const file = path.join(dir, 'bench.json');
  const skip = ['--skip-torch', '--skip-ort', '--skip-search', '--skip-predictor', '--skip-collection', '--skip-memory'];
  const r = run(['bench', '--experiment', tiny, ...skip, '--repeats', '1', '--batch', '8', '--out', file], env);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /model\s+params\s+batch\s+iterations\s+alone\s+2 at once/);
  assert.match(r.out, /core-hours/);
  assert.match(r.out, /choice: (one-at-a-time|two-at-a-time|data-parallel) \(the smallest wall time/);
  const tp = JSON.parse(fs.readFileSync(file, 'utf8')).trainingParallelism;
  assert.deepEqual(tp.rows.map((m: { id: string }) => m.id), ['a', 'b']);
  assert.deepEqual(tp.rows.map((m: { iterations: number }) => m.iterations), [3, 2]); // training.iterations, b's own override
  for (const m of tp.rows) {
    for (const k of ['params', 'aloneMs', 'pairMs', 'pairSlowdown', 'dataParallelComputeMs', 'exchangeMs', 'exchangeBytes', 'dataParallelMs', 'dataParallelSpeedup']) positive(`${m.id}.${k}`, m[k]);
    assert.equal(m.batch, 8);
    assert.equal(m.exchangeBytes, m.params * 4);
    assert.deepEqual(m.dataParallelBatches, [4, 4]);
    assert.ok(Math.abs(m.dataParallelMs - (Math.max(...m.dataParallelComputeMsEach) + m.exchangeMs)) < 1e-9);
    assert.ok(Math.abs(m.pairMs - (m.pairMsEach[0] + m.pairMsEach[1]) / 2) < 1e-9);
  }
  positive('core-hours', tp.plan.coreHours);
  for (const s of ['one-at-a-time', 'two-at-a-time', 'data-parallel']) positive(s, tp.plan.wallHours[s]);
  assert.ok(['one-at-a-time', 'two-at-a-time', 'data-parallel'].includes(tp.plan.choice));
  assert.equal(tp.plan.wallHours[tp.plan.choice], Math.min(...Object.values(tp.plan.wallHours as Record<string, number>)));

  const odd = run(['bench', '--experiment', tiny, ...skip, '--repeats', '1', '--batch', '1', '--out', file], env);
  assert.equal(odd.code, 2);
  assert.match(odd.err, /data-parallel measurement needs a batch of at least 2/);
  const noModel = run(['bench', '--experiment', tiny, '--train-run', '--batch', '8'], env);
  assert.equal(noModel.code, 2);
  assert.match(noModel.err, /--train-run needs --model <id>/);
});

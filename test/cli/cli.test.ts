/**
 * The CLI as a new user meets it: a tiny zoo trained and sampled end to end, and the bad inputs
 * (config typo, unknown dataset, missing or truncated weights, an existing checkpoint) each give
 * a clear message and a non-zero exit code without touching finished work.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../helpers/temp-dir';

const root = path.join(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'oms-dpm.js');
const tiny = path.join(root, 'test', 'fixtures', 'tiny-mnist.yaml');

/** Runs the CLI on WASM, sampling with TF.js unless `env` sets OMS_DPM_ENGINE (the ONNX engine is exercised where it says so). */
function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, OMS_DPM_BACKEND: 'wasm', OMS_DPM_ENGINE: 'tfjs', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** sha256 of every file under `dir`, by relative path (lock files aside). */
function fileHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!f.isFile() || f.name === '.run.lock') continue;
    const file = path.join(f.parentPath, f.name);
    out[path.relative(dir, file)] = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  return out;
}

function workspace(): Record<string, string> {
  const dir = tempDir('omsdpm-cli-');
  return { OMS_DPM_RESULTS: path.join(dir, 'results'), OMS_DPM_RUNS: path.join(dir, 'runs') };
}

function tinyVariant(edit: (yaml: string) => string): string {
  const dir = tempDir('omsdpm-cfg-');
  const file = path.join(dir, 'tiny-mnist.yaml');
  fs.writeFileSync(file, edit(fs.readFileSync(tiny, 'utf8')));
  return file;
}

test('train-zoo then sample: weights, loss curve, summary and PNG grids are written; a second run skips', () => {
  const env = workspace();
  const r = run(['train-zoo', '--experiment', tiny, '--grid', '4', '--grid-steps', '3'], env);
  assert.equal(r.code, 0, r.err);
  for (const id of ['a', 'b']) {
    const dir = path.join(env.OMS_DPM_RESULTS, 'tiny-mnist', 'zoo', id);
    for (const f of ['ema-weights.bin', 'model.onnx', 'model.onnx.json', 'loss-curve.json', 'model.json', 'samples-ddim3.png']) assert.ok(fs.existsSync(path.join(dir, f)), `${id}/${f} missing`);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    assert.equal(summary.steps, id === 'a' ? 3 : 2);
    assert.ok(summary.provenance.configHash.length === 16);
    assert.equal(summary.provenance.backend.backend, 'wasm');
  }
  assert.ok(fs.existsSync(path.join(env.OMS_DPM_RESULTS, 'tiny-mnist', 'data-split.json')));
  const again = run(['train-zoo', '--experiment', tiny, '--grid', '0'], env);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /already trained, skipped/);
  const s = run(['sample', '--experiment', tiny, '--model', 'a', '--steps', '2', '--count', '3', '--out', path.join(env.OMS_DPM_RESULTS, 'x.png')], env);
  assert.equal(s.code, 0, s.err);
  assert.ok(fs.statSync(path.join(env.OMS_DPM_RESULTS, 'x.png')).size > 100);

  // latency table of the trained zoo, then a schedule priced with it
  const lat = run(['profile-latency', '--experiment', tiny, '--rounds', '3', '--warmup', '1'], env);
  assert.equal(lat.code, 0, lat.err);
  const table = JSON.parse(fs.readFileSync(path.join(env.OMS_DPM_RESULTS, 'tiny-mnist', 'latency-tfjs-wasm.json'), 'utf8'));
  assert.deepEqual(Object.keys(table.models), ['a', 'b']);
  assert.ok(table.models.a.medianMs > 0 && table.models.a.minMs <= table.models.a.medianMs && table.models.a.samples === 3);
  assert.equal(table.provenance.backend.backend, 'wasm');
  const cost = run(['schedule', 'cost', '--experiment', tiny, '--solver', 'ddim', '--schedule', '0,1,2,0,2', '--json'], env);
  assert.equal(cost.code, 0, cost.err);
  const c = JSON.parse(cost.out);
  assert.ok(Math.abs(c.costMs - (table.models.a.medianMs + 2 * table.models.b.medianMs)) < 1e-9);
  // the same on the ONNX Runtime engine: its own table, priced with --engine
  const ex = run(['export-onnx', '--experiment', tiny, '--model', 'a'], env);
  assert.equal(ex.code, 0, ex.err);
  assert.match(ex.out, /a: wrote .*model\.onnx .*ONNX Runtime eps matches TF\.js/);
  const latOrt = run(['profile-latency', '--experiment', tiny, '--rounds', '3', '--warmup', '1'], { ...env, OMS_DPM_ENGINE: 'onnx' });
  assert.equal(latOrt.code, 0, latOrt.err);
  assert.match(latOrt.out, /engine onnxruntime-cpu: ONNX Runtime/);
  const ortTable = JSON.parse(fs.readFileSync(path.join(env.OMS_DPM_RESULTS, 'tiny-mnist', 'latency-onnxruntime-cpu.json'), 'utf8'));
  assert.equal(ortTable.engine, 'onnxruntime-cpu');
  assert.equal(ortTable.intraOpThreads, 1);
  assert.equal(table.engine, 'tfjs-wasm');
  const costOrt = run(['schedule', 'cost', '--experiment', tiny, '--solver', 'ddim', '--schedule', '0,1,2,0,2', '--engine', 'onnxruntime-cpu', '--json'], env);
  assert.equal(costOrt.code, 0, costOrt.err);
  assert.ok(Math.abs(JSON.parse(costOrt.out).costMs - (ortTable.models.a.medianMs + 2 * ortTable.models.b.medianMs)) < 1e-9);

  // the FID reference: feature network and training-split statistics
  const fr = run(['fid-reference', '--experiment', tiny], env);
  assert.equal(fr.code, 0, fr.err);
  const ref = JSON.parse(fs.readFileSync(path.join(env.OMS_DPM_RESULTS, 'tiny-mnist', 'fid', 'reference.json'), 'utf8'));
  assert.equal(ref.images, 500);
  assert.match(ref.featureNetwork, /label-classifier CNN on mnist \(test accuracy/);
  // FID of the reference statistics against themselves is 0; against a folder it needs images
  const stats = path.join(env.OMS_DPM_RESULTS, 'tiny-mnist', 'fid', 'reference-stats.npz');
  const self = run(['fid', stats, stats, '--json'], env);
  assert.equal(self.code, 0, self.err);
  assert.ok(Math.abs(JSON.parse(self.out).fid) < 1e-6);

  // the first observation on the tiny zoo: every planned point scored, figure data written
  const obs = run(['observe', '--experiment', tiny, '--ddim-nfe', '2', '--dpm-nfe', '3', '--switch-nfe', '2'], env);
  assert.equal(obs.code, 0, obs.err);
  const data = JSON.parse(fs.readFileSync(path.join(env.OMS_DPM_RESULTS, 'tiny-mnist', 'observation-first.json'), 'utf8'));
  // 2 models x (1 DDIM + 1 DPM-Solver) + 2 switch series x (k = 0, 1, 2)
  assert.equal(data.points.length, 4 + 6);
  assert.ok(data.points.every((p: { fid: number }) => Number.isFinite(p.fid) && p.fid >= 0));
  assert.equal(data.images, 64);
  assert.equal(data.engine, 'tfjs-wasm');
  assert.ok(data.points.every((p: { engine: string }) => p.engine === 'tfjs-wasm'));
  const rerun = run(['observe', '--experiment', tiny, '--ddim-nfe', '2', '--dpm-nfe', '3', '--switch-nfe', '2'], env);
  assert.equal(rerun.code, 0, rerun.err);
  assert.doesNotMatch(rerun.out, /FID/); // everything was already scored

  // the schedule-FID dataset: collect 3, simulate a kill mid-write, continue to 5
  const ds = path.join(env.OMS_DPM_RESULTS, 'tiny-mnist', 'schedule-fid-ddim.jsonl');
  const none = run(['cost-model', '--experiment', tiny, '--solver', 'ddim'], env);
  assert.equal(none.code, 2);
  assert.match(none.err, /no schedule-FID dataset at .*schedule-fid-ddim\.jsonl[\s\S]*fix: collect it first: oms-dpm collect --experiment tiny-mnist --solver ddim --count/);
  const c1 = run(['collect', '--experiment', tiny, '--solver', 'ddim', '--count', '3'], env);
  assert.equal(c1.code, 0, c1.err);
  assert.equal(fs.readFileSync(ds, 'utf8').trim().split('\n').length, 1 + 3);
  fs.appendFileSync(ds, '{"id": 3, "split": "tra');
  // ... on ONNX Runtime workers (one intra-op thread each), priced from that engine's table
  const c2 = run(['collect', '--experiment', tiny, '--solver', 'ddim', '--count', '5', '--workers', '2'], { ...env, OMS_DPM_ENGINE: 'onnx' });
  assert.equal(c2.code, 0, c2.err);
  assert.match(c2.out, /workers sample on onnxruntime-cpu; record costs priced from .*latency-onnxruntime-cpu\.json/);
  const lines = fs.readFileSync(ds, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.slice(1).map((r) => r.id).sort(), [0, 1, 2, 3, 4]);
  for (const r of lines.slice(1)) {
    assert.equal(r.schedule.length, 10);
    assert.ok(Number.isFinite(r.fid) && r.costMs > 0 && (r.split === 'train' || r.split === 'validation'));
    const t = r.id < 3 ? table : ortTable;
    assert.equal(r.engine, t.engine);
    const priced = r.schedule.reduce((acc: number, m: number) => acc + (m === 0 ? 0 : t.models[m === 1 ? 'a' : 'b'].medianMs), 0);
    assert.ok(Math.abs(r.costMs - priced) < 1e-9, `record ${r.id} priced with ${t.engine}`);
  }
  const sum = run(['collect-summary', '--experiment', tiny, '--solver', 'ddim'], env);
  assert.equal(sum.code, 0, sum.err);
  assert.match(sum.out, /train|validation/);
  // the cost-model check over the 3 records the TF.js workers made (the 2 ONNX ones are left out)
  const cm = run(['cost-model', '--experiment', tiny, '--solver', 'ddim', '--engine', 'tfjs-wasm', '--json'], env);
  assert.equal(cm.code, 0, cm.err);
  const check = JSON.parse(cm.out);
  assert.equal(check.count, 3);
  assert.equal(check.skipped, 2);
  assert.ok(Number.isFinite(check.r2) && Number.isFinite(check.slope), cm.out);

  // reproduce: reuses the zoo, profiles latency, grows the datasets to collection.count, trains the
  // predictors, writes figures and manifests; a second run finds every stage up to date
  const rep = run(['reproduce', '--in-place', '--experiment', tiny], env);
  assert.equal(rep.code, 0, rep.err);
  assert.match(rep.out, /stage zoo: done/);
  assert.match(rep.out, /stage predictor-ddim: done/);
  assert.match(rep.out, /stage front-dpm-solver: done/);
  const frontData = JSON.parse(fs.readFileSync(path.join(env.OMS_DPM_RESULTS, 'tiny-mnist', 'front-ddim.json'), 'utf8'));
  assert.deepEqual(frontData.series.map((s: { name: string }) => s.name).sort(), ['best-in-training-set', 'best-single-model', 'oms-dpm', 'random', 'two-segment']);
  assert.ok(fs.existsSync(path.join(env.OMS_DPM_RESULTS, 'tiny-mnist', 'figures', 'fid-vs-cost-ddim.json')));
  const manifest = JSON.parse(fs.readFileSync(path.join(env.OMS_DPM_RESULTS, 'tiny-mnist', 'manifests', 'collection-ddim.json'), 'utf8'));
  assert.equal(manifest.summary.records, 10);
  assert.equal(manifest.provenance.configHash.length, 16);
  assert.ok('dirty' in manifest.provenance.git && manifest.provenance.packages['@tensorflow/tfjs']);
  const metrics = JSON.parse(fs.readFileSync(path.join(env.OMS_DPM_RESULTS, 'tiny-mnist', 'predictor-dpm-solver', 'metrics.json'), 'utf8'));
  assert.ok('validation' in metrics.kendallTau);
  const rep2 = run(['reproduce', '--in-place', '--experiment', tiny], env);
  assert.equal(rep2.code, 0, rep2.err);
  assert.doesNotMatch(rep2.out, /: running/);
  assert.match(rep2.out, /0 stage\(s\) ran/);
  // the default: every stage after the zoo recomputed in a run folder of its own, from the committed
  // zoo, then committed against reproduced; the committed folder is not touched
  const committedDir = path.join(env.OMS_DPM_RESULTS, 'tiny-mnist');
  const before = fileHashes(committedDir);
  const repro = run(['reproduce', '--experiment', tiny], env);
  assert.equal(repro.code, 0, repro.err);
  const reproDir = path.join(env.OMS_DPM_RUNS, 'reproduce', 'tiny-mnist', 'results', 'tiny-mnist');
  assert.match(repro.out, /copied from the committed results: zoo, data-split\.json, manifests\/zoo\.json/);
  assert.match(repro.out, /stage zoo: up to date/);
  assert.match(repro.out, /stage latency: done/);
  assert.match(repro.out, /stage collection-ddim: done/);
  assert.match(repro.out, /stage front-dpm-solver: done/);
  assert.match(repro.out, /committed against reproduced:/);
  assert.match(repro.out, /stage predictor-ddim:\n    kendallTau\.train: committed \S+ \| reproduced \S+ \| /);
  assert.deepEqual(fileHashes(committedDir), before, 'reproduce changed the committed results');
  assert.equal(fs.readFileSync(path.join(reproDir, 'zoo', 'a', 'ema-weights.bin')).equals(fs.readFileSync(path.join(committedDir, 'zoo', 'a', 'ema-weights.bin'))), true);
  const comparison = JSON.parse(fs.readFileSync(path.join(reproDir, 'reproduction.json'), 'utf8'));
  assert.ok(fs.readFileSync(path.join(reproDir, 'reproduction.html'), 'utf8').includes('committed against reproduced'));
  // the tiny pipeline is deterministic but for measured times: no figure differs elsewhere, and
  // the records scored in both runs have the same FIDs
  assert.equal(comparison.figures.length, fs.readdirSync(path.join(committedDir, 'figures')).filter((f) => f.endsWith('.json')).length);
  assert.deepEqual(comparison.figures.filter((f: { verdict: string }) => f.verdict === 'differs' || f.verdict === 'new'), []);
  const paired = comparison.keyNumbers.find((k: { stage: string; quantity: string }) => k.stage === 'collection-ddim' && /in both runs/.test(k.quantity));
  assert.equal(paired.committed, 10, JSON.stringify(paired));
  assert.ok(paired.measure <= 1e-4, JSON.stringify(paired));
  // a rerun on the run folder resumes: nothing left to run, the comparison again
  const repro2 = run(['reproduce', '--experiment', tiny], env);
  assert.equal(repro2.code, 0, repro2.err);
  assert.match(repro2.out, /0 stage\(s\) ran/);
  assert.match(repro2.out, /committed against reproduced:/);
  // a changed predictor setting re-runs the predictors and the figures only
  const rep3 = run(['reproduce', '--in-place', '--experiment', tiny, '--set', 'predictor.epochs=3'], env);
  assert.equal(rep3.code, 0, rep3.err);
  assert.match(rep3.out, /stage collection-ddim: up to date/);
  assert.match(rep3.out, /stage predictor-ddim: running/);
  // a changed FID setting re-collects: the old records are kept beside the new dataset
  const rep4 = run(['reproduce', '--in-place', '--experiment', tiny, '--set', 'fid.images=32'], env);
  assert.equal(rep4.code, 0, rep4.err);
  assert.match(rep4.out, /the ddim dataset was made with other zoo, sampler or FID settings: kept as .*schedule-fid-ddim\.superseded-\w+\.jsonl/);
  const dir = path.join(env.OMS_DPM_RESULTS, 'tiny-mnist');
  const aside = fs.readdirSync(dir).filter((f) => /^schedule-fid-ddim\.superseded-/.test(f));
  assert.equal(aside.length, 1);
  assert.equal(fs.readFileSync(path.join(dir, aside[0]), 'utf8').trim().split('\n').length, 11);
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'schedule-fid-ddim.jsonl'), 'utf8').split('\n')[0]).images, 32);
});

test('a config typo names the key and suggests the right one', () => {
  const file = tinyVariant((y) => y.replace('training:', 'trainig:'));
  const r = run(['train-zoo', '--experiment', file], workspace());
  assert.equal(r.code, 2);
  assert.match(r.err, /trainig/);
  assert.match(r.err, /training/);
});

test('an unknown dataset lists the known ones', () => {
  const file = tinyVariant((y) => y.replace('name: mnist,', 'name: mnistt,'));
  const r = run(['train-zoo', '--experiment', file], workspace());
  assert.equal(r.code, 2);
  assert.match(r.err, /mnistt/);
  assert.match(r.err, /fashion-mnist/);
});

test('an unknown experiment and an unknown model id are clear errors', () => {
  const r = run(['train-zoo', '--experiment', 'no-such-experiment'], workspace());
  assert.equal(r.code, 2);
  assert.match(r.err, /no-such-experiment/);
  const m = run(['train-zoo', '--experiment', tiny, '--model', 'zz'], workspace());
  assert.equal(m.code, 2);
  assert.match(m.err, /zz/);
});

test('sampling a model that was never trained, or whose weights are truncated, says so', () => {
  const env = workspace();
  const missing = run(['sample', '--experiment', tiny, '--model', 'a', '--steps', '2'], env);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /not found/);
  assert.match(missing.err, /train-zoo/);
  const dir = path.join(env.OMS_DPM_RESULTS, 'tiny-mnist', 'zoo', 'a');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'ema-weights.bin'), Buffer.from('OMSDPMT1\x10\x00\x00\x00{"meta":'));
  const trunc = run(['sample', '--experiment', tiny, '--model', 'a', '--steps', '2'], env);
  assert.equal(trunc.code, 2);
  assert.match(trunc.err, /corrupt or truncated/);
});

test('an existing checkpoint is kept: without --resume the run stops and says how to continue', () => {
  const env = workspace();
  const ck = path.join(env.OMS_DPM_RUNS, 'tiny-mnist', 'zoo', 'b', 'checkpoint.bin');
  const first = run(['train-zoo', '--experiment', tiny, '--model', 'b', '--grid', '0', '--set', 'zoo[b].training.iterations=1'], env);
  assert.equal(first.code, 0, first.err);
  const before = fs.readFileSync(ck);
  const second = run(['train-zoo', '--experiment', tiny, '--model', 'b', '--grid', '0'], env);
  assert.equal(second.code, 2);
  assert.match(second.err, /--resume/);
  assert.deepEqual(fs.readFileSync(ck), before);
  const resumed = run(['train-zoo', '--experiment', tiny, '--model', 'b', '--grid', '0', '--resume'], env);
  assert.equal(resumed.code, 0, resumed.err);
});

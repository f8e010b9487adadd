/**
 * `oms-dpm collection-study` end to end on the tiny fixture with a temporary results folder: real
 * zoo, real FIDs on the scoring pool, the active dataset collected by the command itself (its
 * rounds' ensembles trained in the process), the study's predictors trained in child processes,
 * the study file and its printed table; a rerun collects, trains and scores nothing new; then
 * `reproduce` with collection.strategy active collects actively and records the strategy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, envFor, expDir, tiny } from '../helpers/tiny-workspace';
import { tempDir } from '../helpers/temp-dir';

const SET = ['collection.count=16', 'collection.active.initialRecords=4', 'collection.active.perRound=3', 'collection.active.ensembleSize=2', 'collection.active.epochs=4', 'collection.active.trainingProcesses=1'].flatMap((s) => ['--set', s]);

function run(dir: string, args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args, ...SET], { encoding: 'utf8', env: { ...envFor(dir), OMS_DPM_BACKEND: 'wasm', OMS_DPM_ENGINE: 'onnx' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('collection-study completes the active dataset, trains a predictor per strategy and count, and writes the study', () => {
  const dir = tempDir('omsdpm-study-cli-');
  for (const args of [['train-zoo', '--grid', '0'], ['profile-latency', '--rounds', '3', '--warmup', '1'], ['collect', '--solver', 'ddim', '--count', '16'], ['train-predictor', '--solver', 'ddim'], ['front', '--solver', 'ddim']]) {
    const r = run(dir, [...args, '--experiment', tiny]);
    assert.equal(r.code, 0, `${args[0]}: ${r.err}`);
  }
  const bad = run(dir, ['collection-study', '--experiment', tiny, '--solver', 'ddim', '--records', '6,99']);
  assert.equal(bad.code, 2, bad.err + bad.out);
  assert.match(bad.err, /record count 99 is not a number of training records the study can use[\s\S]*from 6 \(predictor\.selectionFraction[^)]*\) to \d+/);

  const study = run(dir, ['collection-study', '--experiment', tiny, '--solver', 'ddim', '--records', '6,8']);
  assert.equal(study.code, 0, study.err);
  assert.match(study.out, /active round 1: training the ensemble on 4 training records/);
  // the random dataset was there: its validation records and first 4 training records were taken over, not scored again
  const validation = JSON.parse(fs.readFileSync(path.join(expDir(dir), 'collection-study-ddim.json'), 'utf8')).validationRecords;
  assert.match(study.out, new RegExp(`took over ${validation + 4} records of .*schedule-fid-ddim\\.jsonl`));
  assert.match(study.out, /^random\s+6\s+/m);
  assert.match(study.out, /^active\s+8\s+/m);
  assert.match(study.out, /^with 8 training records (random|active) is better \(mean dFID -?[\d.]+ random, -?[\d.]+ active\); /m);
  const file = path.join(expDir(dir), 'collection-study-ddim.json');
  const s = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(s.points.map((p: { strategy: string; trainingRecords: number }) => `${p.strategy} ${p.trainingRecords}`), ['random 6', 'random 8', 'active 6', 'active 8']);
  assert.ok(fs.existsSync(path.join(expDir(dir), 'schedule-fid-ddim.active.jsonl')));

  const again = run(dir, ['collection-study', '--experiment', tiny, '--solver', 'ddim', '--records', '6,8']);
  assert.equal(again.code, 0, again.err);
  assert.doesNotMatch(again.out, /active round \d|: trained/);
  assert.equal((again.out.match(/: kept: tau validation/g) ?? []).length, 4);

  // reproduce with collection.strategy active: the collection stages grow the active datasets (ddim's is complete already) and record the strategy
  const reproduce = run(dir, ['reproduce', '--experiment', tiny, '--in-place', '--set', 'collection.strategy=active']);
  assert.equal(reproduce.code, 0, reproduce.err + reproduce.out);
  assert.match(reproduce.out, /active round 1: training the ensemble on 4 training records/, 'dpm-solver: rounds of active collection');
  const manifest = (stage: string) => JSON.parse(fs.readFileSync(path.join(expDir(dir), 'manifests', `${stage}.json`), 'utf8'));
  for (const solver of ['ddim', 'dpm-solver']) assert.deepEqual(manifest(`collection-${solver}`).summary, { records: 16, strategy: 'active' });
  const metrics = JSON.parse(fs.readFileSync(path.join(expDir(dir), 'predictor-ddim', 'metrics.json'), 'utf8'));
  assert.equal(metrics.dataset.file, 'schedule-fid-ddim.active.jsonl', 'the predictor trained on the active dataset');
});

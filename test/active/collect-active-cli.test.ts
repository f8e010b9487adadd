/**
 * `oms-dpm collect --strategy active` end to end on the tiny fixture (test/fixtures/tiny-mnist.yaml)
 * with a temporary results folder: real FIDs on the scoring pool, the LSTM ensemble trained in the
 * process (2 members, 4 epochs), the plan beside the dataset. The active dataset stands beside the
 * random one, and their validation records are the same draws with the same FIDs; a rerun finds
 * the dataset complete; the settings are listed by `config keys`; a missing latency table and an
 * unknown strategy are errors that name the fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../../lib/config/index';
import { jobFor } from '../../lib/collection/schedule-job';
import { cli, envFor, expDir, tiny } from '../helpers/tiny-workspace';
import { tempDir } from '../helpers/temp-dir';

const SMALL = ['--set', 'collection.active.initialRecords=4', '--set', 'collection.active.perRound=3', '--set', 'collection.active.ensembleSize=2', '--set', 'collection.active.epochs=4'];

function run(dir: string, args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...envFor(dir), OMS_DPM_BACKEND: 'wasm', OMS_DPM_ENGINE: 'onnx' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const lines = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

test('collect --strategy active grows the active dataset round by round beside the random one, with the same validation draws', () => {
  const dir = tempDir('omsdpm-active-cli-');
  const keys = run(dir, ['config', 'keys']);
  assert.equal(keys.code, 0, keys.err);
  for (const k of ['collection.strategy', 'collection.active.ensembleSize', 'collection.active.initialRecords', 'collection.active.perRound', 'collection.active.acquisition', 'collection.active.epochs']) assert.match(keys.out, new RegExp(`^${k.replace(/\./g, '\\.')}\\s`, 'm'));
  const zoo = run(dir, ['train-zoo', '--experiment', tiny, '--grid', '0']);
  assert.equal(zoo.code, 0, zoo.err);

  const noLatency = run(dir, ['collect', '--experiment', tiny, '--solver', 'ddim', '--count', '16', '--strategy', 'active', ...SMALL]);
  assert.equal(noLatency.code, 2);
  assert.match(noLatency.err, /latency table of onnxruntime-cpu[\s\S]*fix: measure it first: oms-dpm profile-latency --experiment tiny-mnist --engine onnx/);
  const bad = run(dir, ['collect', '--experiment', tiny, '--solver', 'ddim', '--count', '16', '--strategy', 'clever']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--strategy must be one of random, active, got 'clever'/);
  const lat = run(dir, ['profile-latency', '--experiment', tiny, '--rounds', '3', '--warmup', '1']);
  assert.equal(lat.code, 0, lat.err);

  const active = run(dir, ['collect', '--experiment', tiny, '--solver', 'ddim', '--count', '16', '--strategy', 'active', ...SMALL]);
  assert.equal(active.code, 0, active.err);
  assert.match(active.out, /round 1: training the ensemble on 4 training records/);
  assert.match(active.out, /round 1: 3 schedules chosen \(thompson\) at budgets [\d.]+ ms; .*plan .*schedule-fid-ddim\.active\.plan\.json/);
  const file = path.join(expDir(dir), 'schedule-fid-ddim.active.jsonl');
  const [header, ...records] = lines(file);
  assert.equal(header.strategy, 'active');
  assert.deepEqual(records.map((r) => r.id).sort((a, b) => a - b), Array.from({ length: 16 }, (_, i) => i));
  const plan = JSON.parse(fs.readFileSync(path.join(expDir(dir), 'schedule-fid-ddim.active.plan.json'), 'utf8'));
  const planned = new Map<number, { schedule: number[]; round: number }>();
  for (const r of plan.rounds) for (const c of r.chosen) planned.set(c.id, { schedule: c.schedule, round: r.round });
  assert.ok(plan.rounds.length >= 1 && planned.size > 0);
  const c = loadExperiment(tiny).config.collection;
  for (const r of records) {
    const p = planned.get(r.id);
    if (p) assert.deepEqual([r.schedule, r.round], [p.schedule, p.round], `record ${r.id} is round ${p.round}'s choice`);
    else assert.deepEqual([r.schedule, r.round], [jobFor(c, 'ddim', 2, 1000, r.id).schedule, undefined], `record ${r.id} is random collection's draw`);
  }

  const again = run(dir, ['collect', '--experiment', tiny, '--solver', 'ddim', '--count', '16', '--strategy', 'active', ...SMALL]);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /16 records, 0 to collect/);
  assert.doesNotMatch(again.out, /round \d/);

  // random collection keeps its own file; its validation records are the active dataset's
  const random = run(dir, ['collect', '--experiment', tiny, '--solver', 'ddim', '--count', '16']);
  assert.equal(random.code, 0, random.err);
  const randomRecords = lines(path.join(expDir(dir), 'schedule-fid-ddim.jsonl')).slice(1);
  const validation = (rs: { id: number; split: string; schedule: number[]; fid: number }[]) =>
    rs.filter((r) => r.split === 'validation').sort((a, b) => a.id - b.id).map((r) => ({ id: r.id, schedule: r.schedule, fid: Number(r.fid.toFixed(6)) }));
  assert.ok(validation(records).length > 0);
  assert.deepEqual(validation(records), validation(randomRecords));
  const summary = run(dir, ['collect-summary', '--experiment', tiny, '--solver', 'ddim', '--strategy', 'active']);
  assert.equal(summary.code, 0, summary.err);
  assert.match(summary.out, /^train\s+\d+/m);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendRecord, openDataset, readDataset, setAsideSupersededDataset, type DatasetHeader, type ScheduleRecord } from '../../lib/collection/dataset-file';
import { jobFor, splitOf } from '../../lib/collection/schedule-job';
import { isKitError } from '../../lib/util/errors';
import { validateSchedule } from '../../lib/schedule/index';
import { tempDir } from '../helpers/temp-dir';

const header: DatasetHeader = {
  kind: 'oms-dpm-schedule-fid-dataset', version: 1, experiment: 'mnist', solver: 'ddim', length: 4, numModels: 2,
  recordKey: 'k1', featureNetwork: 'f', images: 10, scheduleSeed: 0, splitSeed: 0, trainRatio: 0.5,
};
const rec = (id: number, schedule = [0, 1, 2, 0]): ScheduleRecord => ({
  id, split: 'train', solver: 'ddim', schedule, fid: 10 + id, costMs: null, nfe: 2, images: 10, seed: 0, configHash: 'h', engine: 'tfjs-wasm', seconds: 1,
});
const fresh = () => path.join(tempDir('omsdpm-ds-'), 'd.jsonl');
const kit = (re: RegExp) => (e: unknown) => isKitError(e) && re.test((e as Error).message);

test('records append one line each and read back in order', () => {
  const f = fresh();
  openDataset(f, header);
  appendRecord(f, rec(0));
  appendRecord(f, rec(1));
  const d = readDataset(f);
  assert.deepEqual(d.records.map((r) => r.id), [0, 1]);
  assert.equal(d.droppedPartialLine, false);
});

test('records appended out of order (workers finish in any order) read back in id order', () => {
  const f = fresh();
  openDataset(f, header);
  for (const id of [2, 0, 3, 1]) appendRecord(f, rec(id));
  assert.deepEqual(readDataset(f).records.map((r) => r.id), [0, 1, 2, 3]);
});

test('a half-written last record (killed mid-write) is dropped and cut off on reopen; earlier records survive', () => {
  const f = fresh();
  openDataset(f, header);
  appendRecord(f, rec(0));
  fs.appendFileSync(f, JSON.stringify(rec(1)).slice(0, 25));
  const d = readDataset(f);
  assert.equal(d.droppedPartialLine, true);
  assert.deepEqual(d.records.map((r) => r.id), [0]);
  openDataset(f, header);
  appendRecord(f, rec(1));
  assert.deepEqual(readDataset(f).records.map((r) => r.id), [0, 1]);
});

test('corruption in the middle, another experiment, a changed zoo and a wrong schedule length are clear errors', () => {
  const f = fresh();
  openDataset(f, header);
  appendRecord(f, rec(0));
  fs.appendFileSync(f, '{"id": 1, garbage\n');
  appendRecord(f, rec(2));
  assert.throws(() => readDataset(f), kit(/line 3: the line is not valid JSON/));

  const g = fresh();
  openDataset(g, header);
  assert.throws(() => openDataset(g, { ...header, experiment: 'fashion-mnist' }), kit(/experiment = "mnist".*"fashion-mnist"/));
  assert.throws(() => openDataset(g, { ...header, recordKey: 'k2' }), kit(/recordKey/));

  const h = fresh();
  openDataset(h, header);
  appendRecord(h, rec(0, [1, 2, 0]));
  assert.throws(() => readDataset(h), kit(/length 3, the dataset's length is 4/));

  const e = fresh();
  fs.writeFileSync(e, '');
  assert.throws(() => readDataset(e), kit(/empty/));
});

test('jobs are pure functions of (seed, id): valid, independent of order, split near the ratio', () => {
  const c = { ddimLength: 100, dpmSolverLength: 60, dirichletAlpha: 0.4, nullProbability: 0.8, seed: 3, trainRatio: 0.5, splitSeed: 1, workers: 2, count: 10, queue: null };
  const a = jobFor(c, 'dpm-solver', 4, 1000, 17);
  const b = jobFor(c, 'dpm-solver', 4, 1000, 17);
  assert.deepEqual(a, b);
  validateSchedule('dpm-solver', a.schedule, 4, 60);
  assert.notDeepEqual(jobFor(c, 'dpm-solver', 4, 1000, 18).schedule, a.schedule);
  let train = 0;
  for (let i = 0; i < 2000; i++) if (splitOf(c, i) === 'train') train++;
  assert.ok(Math.abs(train / 2000 - 0.5) < 0.04, `train share ${train / 2000}`);
  assert.equal(splitOf(c, 5), splitOf(c, 5));
});

test('a dataset made under other settings is set aside with its records, not overwritten; the same settings or a damaged file stay put', () => {
  const f = fresh();
  openDataset(f, header);
  appendRecord(f, rec(0));
  assert.equal(setAsideSupersededDataset(f, header), null);
  assert.equal(setAsideSupersededDataset(path.join(path.dirname(f), 'none.jsonl'), header), null);
  const aside = setAsideSupersededDataset(f, { ...header, recordKey: 'k2' });
  assert.equal(aside, path.join(path.dirname(f), 'd.superseded-k1.jsonl'));
  assert.equal(fs.existsSync(f), false);
  assert.deepEqual(readDataset(aside!).records.map((r) => r.id), [0]);
  // a new dataset starts in its place
  openDataset(f, { ...header, recordKey: 'k2' });
  assert.equal(readDataset(f).header.recordKey, 'k2');
  fs.writeFileSync(f, '{"kind": "oms-dpm-sch');
  assert.equal(setAsideSupersededDataset(f, header), null);
  assert.ok(fs.existsSync(f));
});

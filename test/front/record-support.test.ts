/**
 * Where the predictor may be trusted (record-support.ts) and OMS-DPM's widened re-rank set
 * (oms-dpm-pick.ts), checked by hand on small sets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelMix, RecordSupport } from '../../lib/front/record-support';
import { rerankSet } from '../../lib/front/oms-dpm-pick';
import type { FrontInputs } from '../../lib/front/front-inputs';
import type { ScheduleRecord } from '../../lib/collection/dataset-file';

test('the model mix is the share of network evaluations per model', () => {
  assert.deepEqual([...modelMix([0, 1, 2, 2, 0, 2], 3)], [0.25, 0.75, 0]);
  assert.deepEqual([...modelMix([0, 0], 2)], [0, 0]);
});

test("support: NFE inside the records' range and a model mix as near to a record as records are to each other", () => {
  // records (2 models): mixes [1,0], [0.5,0.5], [0,1], [0.5,0.5] -> nearest-neighbour L1 distances 1, 0, 1, 0 -> median (lower middle) 0
  const records = [[1, 1, 0, 0], [1, 2, 0, 0], [2, 2, 2, 0], [2, 1, 1, 2]];
  const s = new RecordSupport(records, 2);
  const a = s.describe([1, 2, 0, 0]); // equals a record
  assert.deepEqual({ ...a }, { nfe: 2, nfeRange: [2, 4], mixDistance: 0, threshold: 0, inside: true });
  const b = s.describe([1, 1, 1, 2]); // mix [0.75, 0.25]: 0.5 from [1,0] and from [0.5,0.5]
  assert.equal(b.mixDistance, 0.5);
  assert.equal(b.inside, false);
  const c = s.describe([1, 0, 0, 0]); // one NFE: below the records' range
  assert.equal(c.inside, false);
  // a looser set: mixes [1,0], [0,1] -> spacing 2, so every 2- to 4-NFE schedule is inside
  const loose = new RecordSupport([[1, 1, 0], [2, 2, 2]], 2);
  assert.equal(loose.describe([1, 2, 0]).inside, true);
  assert.equal(loose.describe([1, 0, 0]).inside, false);
});

test('the re-rank set: the top k predicted, then the best predicted inside the support, then the best records that fit, without repeats', () => {
  const run = {
    solver: 'ddim', latency: [0, 10, 20], modelIds: ['a', 'b'], rerankTopK: 2, settings: { rerankTrusted: 1, rerankRecords: 2 },
  } as unknown as FrontInputs;
  const record = (id: number, schedule: number[], fid: number, split: 'train' | 'validation' = 'train') => ({ id, schedule, fid, split, images: 8 }) as ScheduleRecord;
  const records = [record(0, [1, 1, 0, 0], 30), record(1, [2, 2, 0, 0], 20), record(2, [2, 2, 2, 2], 5), record(3, [1, 2, 0, 0], 25), record(4, [1, 1, 1, 0], 1, 'validation')];
  const ind = (schedule: number[], score: number) => ({ schedule, score, cost: 0, nfe: 0 });
  const population = [
    ind([2, 2, 2, 0], -9), // predicted #1: 3 NFE, mix [0,1]
    ind([1, 1, 1, 1], -8), // predicted #2
    ind([2, 2, 2, 2], -7), // #3: equals record 2, so inside the support (a real search at C returns only schedules within C)
    ind([1, 2, 0, 0], -6), // #4: equals record 3, inside the support
  ];
  const set = rerankSet(run, population, records, 45);
  assert.deepEqual(set.map((e) => [e.reason, e.c.schedule.join('')]), [
    ['predicted', '2220'],
    ['predicted', '1111'],
    // #3 [2,2,2,2] is inside the support too (it is record 2) and comes first by prediction
    ['trusted', '2222'],
    // the records that fit 45 ms, lowest FID first: record 1 (20, 40 ms), record 3 (25, 30 ms); record 2 (80 ms) does not fit, record 4 is validation
    ['record', '2200'],
    ['record', '1200'],
  ]);
  assert.match(set[3].why, /training record 1 \(recorded FID 20\.00 on 8 images\); NFE 2 in the records' 2-4/);
  // nothing asked beyond the official top k: the official re-rank
  const official = rerankSet({ ...run, settings: { rerankTrusted: 0, rerankRecords: 0 } } as FrontInputs, population, records, 45);
  assert.deepEqual(official.map((e) => e.reason), ['predicted', 'predicted']);
});

test('the re-rank set spends its slots on distinct samplers: DPM-Solver copies in other groups count once', () => {
  const run = {
    solver: 'dpm-solver', latency: [0, 10, 20], modelIds: ['a', 'b'], rerankTopK: 2, settings: { rerankTrusted: 0, rerankRecords: 1 },
  } as unknown as FrontInputs;
  // 3 groups of 3, read from the end; every step here is first order (one entry in its group)
  const ind = (schedule: number[], score: number) => ({ schedule, score, cost: 0, nfe: 0 });
  const population = [
    ind([0, 0, 0, 2, 0, 0, 1, 0, 0], -9), // a then b: step 1 (group 2) model 1, step 2 (group 1) model 2
    ind([2, 0, 0, 0, 0, 0, 1, 0, 0], -9), // the same sampler in groups 2 and 0
    ind([2, 0, 0, 1, 0, 0, 0, 0, 0], -9), // and in groups 1 and 0
    ind([0, 0, 0, 1, 0, 0, 2, 0, 0], -8), // b then a: another sampler, rank 4
    ind([1, 1, 0, 0, 0, 0, 0, 0, 0], -7),
  ];
  const record = (id: number, schedule: number[], fid: number) => ({ id, schedule, fid, split: 'train', images: 8 }) as ScheduleRecord;
  // the best record is the first pick's sampler once more (groups 1 and 0); the next one is new
  const records = [record(0, [2, 0, 0, 1, 0, 0, 0, 0, 0], 5), record(1, [1, 0, 0, 0, 0, 0, 0, 0, 0], 9)];
  const set = rerankSet(run, population, records, 45);
  assert.deepEqual(set.map((e) => [e.reason, e.predictedRank, e.recordId]), [
    ['predicted', 0, null],
    ['predicted', 3, null],
    ['record', null, 1],
  ]);
  // DDIM has no such copies (a position is a timestep): the same lists are distinct samplers there
  const ddim = rerankSet({ ...run, solver: 'ddim' } as FrontInputs, population, [], 45);
  assert.deepEqual(ddim.map((e) => e.predictedRank), [0, 1]);
});

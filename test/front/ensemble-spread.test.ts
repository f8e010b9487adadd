/**
 * The ensemble spread, the third descriptor of the records' support (lib/front/ensemble-spread.ts),
 * checked by hand on a fake 3-member ensemble with fixed scores on different scales; `inside` turned
 * false by the spread alone; and the front run with an ensemble source: every re-ranked candidate
 * carries its spread, the members are released, and front.supportEnsemble 0 is today's front.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EnsembleSpread, lowerMedian, memberScale, spreadOf, standardised, type SpreadLookup } from '../../lib/front/ensemble-spread';
import { rerankSet } from '../../lib/front/oms-dpm-pick';
import { describeSupport, RecordSupport, withSpread } from '../../lib/front/record-support';
import { frontConfigHash, runFront, type FrontData, type FrontInputs, type FrontPoint } from '../../lib/front/index';
import type { ScheduleRecord } from '../../lib/collection/dataset-file';
import type { PredictorEnsemble } from '../../lib/predictor/ensemble';
import { streamRng } from '../../lib/util/rng';
import { analyticFid, makeRun, tempDir, trainingRecords, type Counters } from './helpers';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b} (tolerance ${tol})`);

/** A fake ensemble: member k scores a schedule from a fixed table; counts its scoring calls and releases. */
function tableEnsemble(table: Record<string, [number, number, number]>): PredictorEnsemble & { calls: number; released: number } {
  const e = {
    size: 3,
    calls: 0,
    released: 0,
    score: async (k: number, schedules: number[][]) => {
      e.calls++;
      return schedules.map((s) => {
        const row = table[s.join(',')];
        if (!row) throw new Error(`no score for [${s}]`);
        return row[k];
      });
    },
    release: async () => void e.released++,
  };
  return e;
}

// training records t1..t4, validation records v1..v3, candidates c1, c2; three members on three scales
const T = [[1, 0], [2, 0], [1, 1], [2, 2]];
const V = [[0, 1], [0, 2], [2, 1]];
const TABLE: Record<string, [number, number, number]> = {
  '1,0': [1, 10, -4], '2,0': [2, 30, -3], '1,1': [3, 20, -2], '2,2': [4, 40, -1],
  '0,1': [2.5, 25, -2.5], '0,2': [0, 45, -5], '2,1': [5, 5, -3],
  '1,2': [2, 20, -3], '0,0': [0.5, 50, -10],
};

test('standardisation (mean and sd over the training scores, dividing by n), spread (sd over the members) and lower median', () => {
  const scale = memberScale([1, 2, 3, 4]);
  close(scale.mean, 2.5);
  close(scale.sd, Math.sqrt(1.25));
  close(standardised(0, scale), -2.5 / Math.sqrt(1.25));
  assert.deepEqual(memberScale([3, 3, 3]), { mean: 3, sd: 1 }, 'a member that scores every record alike: sd 1, not a division by 0');
  close(spreadOf([0.5, 0.5, 0.5]), 0);
  close(spreadOf([0, 1, 0]), Math.sqrt(2 / 9)); // mean 1/3; (1/9 + 4/9 + 1/9) / 3
  assert.equal(lowerMedian([0.3, 0.1, 0.2, 0.4]), 0.2);
  assert.equal(lowerMedian([0.3, 0.1, 0.2]), 0.2);
});

test('the spread by hand: scores standardised per member on its training scores, threshold the validation records\' median', async () => {
  const ensemble = tableEnsemble(TABLE);
  const spread = await EnsembleSpread.measure(ensemble, T, V);
  // training scores per member: m0 1..4 (mean 2.5, sd sqrt(1.25) = 1.118034), m1 10..40 (25, 11.18034),
  // m2 -4..-1 (-2.5, 1.118034); u = 1 / sqrt(1.25) = 0.894427 is one record's step in z
  const u = 1 / Math.sqrt(1.25);
  const sd = (zs: number[]) => { const m = zs.reduce((a, b) => a + b, 0) / zs.length; return Math.sqrt(zs.reduce((a, z) => a + (z - m) ** 2, 0) / zs.length); };
  //   v1 [0,1]: 2.5, 25, -2.5 -> z 0, 0, 0                  -> spread 0
  //   v2 [0,2]: 0, 45, -5     -> z -2.5u, 2u, -2.5u         -> sqrt(3.6) = 1.897367
  //   v3 [2,1]: 5, 5, -3      -> z 2.5u, -2u, -0.5u (mean 0) -> sqrt(2.8) = 1.673320
  close(sd([-2.5 * u, 2 * u, -2.5 * u]), Math.sqrt(3.6));
  close(sd([2.5 * u, -2 * u, -0.5 * u]), Math.sqrt(2.8));
  // threshold: the lower median of (0, 1.897367, 1.673320)
  close(spread.threshold, Math.sqrt(2.8));
  // c1 [1,2]: 2, 20, -3 -> z -0.5u in all three -> spread 0, inside
  // c2 [0,0]: 0.5, 50, -10 -> z -2u, 2.5u, -7.5u -> 3.657565, outside
  const [c1, c2] = await spread.spreads([[1, 2], [0, 0]]);
  close(c1, 0);
  close(c2, sd([-2 * u, 2.5 * u, -7.5 * u]));
  close(c2, 3.657565, 1e-6);
  assert.ok(c1 <= spread.threshold && c2 > spread.threshold);
  // the training records are known from the start: t2 [2,0] at z -0.5u, 0.5u, -0.5u -> 0.421637
  const calls = ensemble.calls;
  const lookup: SpreadLookup = await spread.lookup([[1, 2]]);
  assert.equal(ensemble.calls, calls, 'nothing new to score: c1 was measured, t2 is a training record');
  close(lookup.of([2, 0]), 0.421637, 1e-6);
  close(lookup.of([1, 0]), 0);
  assert.throws(() => lookup.of([9, 9]), /no ensemble spread measured/);
});

test('beyond every record: members that all put a schedule past the records, but at different distances, disagree on it', async () => {
  // every member scores [3,3] better than all four training records, so a quantile among them is 0
  // for each and their spread would be 0; standardised: -12.5u, -12.5u, -17.5u -> 2.108185 > 1.673320
  const ensemble = tableEnsemble({ ...TABLE, '3,3': [-10, -100, -20] });
  const spread = await EnsembleSpread.measure(ensemble, T, V);
  const [far] = await spread.spreads([[3, 3]]);
  const u = 1 / Math.sqrt(1.25);
  close(far, (5 * u * Math.sqrt(2)) / 3);
  close(far, 2.108185, 1e-6);
  assert.ok(far > spread.threshold);
});

test('the spread needs 2 members, training records and validation records (KitErrors naming front.supportEnsemble)', async () => {
  const one = { ...tableEnsemble(TABLE), size: 1 };
  await assert.rejects(EnsembleSpread.measure(one, T, V), /at least 2 members.*/);
  await assert.rejects(EnsembleSpread.measure(tableEnsemble(TABLE), T, []), (e: Error & { hint?: string }) => /validation records/.test(e.message) && /front\.supportEnsemble: 0/.test(e.hint ?? ''));
});

test('inside: NFE in range and mix near a record, but the ensemble disagrees more than on the validation records -> outside', () => {
  const records = [[1, 1, 0, 0], [1, 2, 0, 0], [2, 2, 2, 0], [2, 1, 1, 2]];
  const support = new RecordSupport(records, 2);
  const base = support.describe([1, 2, 0, 0]); // equals a record: NFE and mix inside
  assert.equal(base.inside, true);
  const far = withSpread(base, 0.5, 0.3);
  assert.deepEqual({ ...far }, { nfe: 2, nfeRange: [2, 4], mixDistance: 0, threshold: 0, spread: 0.5, spreadThreshold: 0.3, inside: false });
  assert.equal(withSpread(base, 0.3, 0.3).inside, true, 'at the threshold: inside');
  assert.equal(withSpread(support.describe([1, 0, 0, 0]), 0, 0.3).inside, false, 'a small spread does not bring an NFE outside the range in');
  assert.equal(describeSupport(far), "NFE 2 in the records' 2-4, model-mix distance 0.00 <= 0.00 (records' median spacing), ensemble spread 0.500 > 0.300 (validation records' median)");
  assert.equal(describeSupport(base), "NFE 2 in the records' 2-4, model-mix distance 0.00 <= 0.00 (records' median spacing)", 'without an ensemble: the sentence of before');
});

test('the re-rank set skips a candidate the ensemble disagrees on and trusts the next one inside', () => {
  const run = { solver: 'ddim', latency: [0, 10, 20], modelIds: ['a', 'b'], rerankTopK: 2, settings: { rerankTrusted: 1, rerankRecords: 0 } } as unknown as FrontInputs;
  const record = (id: number, schedule: number[], fid: number) => ({ id, schedule, fid, split: 'train', images: 8 }) as ScheduleRecord;
  const records = [record(0, [1, 1, 0, 0], 30), record(1, [2, 2, 0, 0], 20), record(2, [2, 2, 2, 2], 5), record(3, [1, 2, 0, 0], 25)];
  const ind = (schedule: number[], score: number) => ({ schedule, score, cost: 0, nfe: 0 });
  const population = [ind([2, 2, 2, 0], -9), ind([1, 1, 1, 1], -8), ind([2, 2, 2, 2], -7), ind([1, 2, 0, 0], -6)];
  // without the spread, #3 (record 2) is trusted; with it, #3's spread 0.5 is over the threshold 0.3 and #4 (spread 0.1) is trusted
  assert.deepEqual(rerankSet(run, population, records, 45).map((e) => e.c.schedule.join('')), ['2220', '1111', '2222']);
  const spreads: Record<string, number> = { '2220': 0.4, '1111': 0.2, '2222': 0.5, '1200': 0.1, '1100': 0, '2200': 0 };
  const lookup: SpreadLookup = { threshold: 0.3, of: (s) => spreads[s.join('')] };
  const set = rerankSet(run, population, records, 45, lookup);
  // #1 is 3 NFE of b: mix [0,1] as record 2's, but spread 0.4; #2's mix [1,0] is record 0's and its spread 0.2
  assert.deepEqual(set.map((e) => [e.reason, e.c.schedule.join(''), e.inside]), [['predicted', '2220', false], ['predicted', '1111', true], ['trusted', '1200', true]]);
  assert.match(set[2].why, /ensemble spread 0\.100 <= 0\.300 \(validation records' median\)$/);
  assert.equal(set[2].support?.spread, 0.1);
});

/** A fake ensemble over any schedule: member k scores the analytic FID on its own scale, plus noise of its own. */
function analyticEnsemble(): PredictorEnsemble & { released: number } {
  const e = {
    size: 3,
    released: 0,
    score: async (k: number, schedules: number[][]) => schedules.map((s) => (k + 1) * analyticFid(s) + 8 * streamRng(k, 'fake-member', s.join(','))()),
    release: async () => void e.released++,
  };
  return e;
}

const omsPoints = (d: FrontData): FrontPoint[] => d.series.find((s) => s.name === 'oms-dpm')!.points;
const counters = (): Counters => ({ scored: [], searches: [] });

test('a front with a support ensemble records every candidate\'s spread, trusts only candidates inside, and releases the members', async () => {
  const ensemble = analyticEnsemble();
  const given: number[][] = [];
  const run: FrontInputs = {
    ...makeRun(tempDir(), counters(), { budgets: [30, 60], settings: { series: ['oms-dpm'], supportEnsemble: 3 } }),
    supportEnsemble: async (training) => (given.push(training.map((r) => r.id)), { ensemble, reused: false, seconds: 0 }),
  };
  const events: string[] = [];
  const data = await runFront({ ...run, onEvent: (e) => events.push(e.kind) });
  const records = trainingRecords('ddim', 10);
  const train = records.filter((r) => r.split === 'train');
  assert.deepEqual(given, [train.map((r) => r.id)], 'one ensemble for the whole front, on the training split in id order');
  assert.equal(ensemble.released, 1, 'members released at the end of the run');
  assert.ok(events.indexOf('support-ensemble') < events.indexOf('search'), 'the ensemble is ready before the first search');
  const spread = await EnsembleSpread.measure(ensemble, train.map((r) => r.schedule), records.filter((r) => r.split === 'validation').map((r) => r.schedule));
  const support = new RecordSupport(train.map((r) => r.schedule), 3);
  for (const p of omsPoints(data)) {
    for (const c of p.reranked!) {
      const [expected] = await spread.spreads([c.schedule]);
      close(c.spread!, expected);
      close(c.spreadThreshold!, spread.threshold);
      assert.equal(c.insideSupport, support.describe(c.schedule).inside && c.spread! <= c.spreadThreshold!, c.why);
      if (c.reason === 'trusted') assert.equal(c.insideSupport, true);
      assert.match(c.why, /ensemble spread \d\.\d{3} (<=|>) \d\.\d{3}/);
    }
  }
  assert.ok(omsPoints(data).some((p) => p.reranked!.some((c) => c.insideSupport === false && support.describe(c.schedule).inside)), 'the spread alone puts some candidate outside');
});

test('front.supportEnsemble 0: no ensemble asked for, and the front of before (no spread fields, the same picks)', async () => {
  let asked = 0;
  const settings = { series: ['oms-dpm' as const], budgets: [30, 60] };
  const off = await runFront({
    ...makeRun(tempDir(), counters(), { budgets: settings.budgets, settings: { series: settings.series, supportEnsemble: 0 } }),
    supportEnsemble: async () => (asked++, { ensemble: analyticEnsemble(), reused: false, seconds: 0 }),
  });
  const before = await runFront(makeRun(tempDir(), counters(), { budgets: settings.budgets, settings: { series: settings.series } }));
  assert.equal(asked, 0);
  for (const p of omsPoints(off)) for (const c of p.reranked!) assert.ok(!('spread' in c) && !('spreadThreshold' in c));
  assert.deepEqual(omsPoints(off), omsPoints(before));
  // the setting is part of the front's config hash: a stored front made with another value is recomputed
  const hash = (supportEnsemble: number) => frontConfigHash(makeRun(tempDir(), counters(), { settings: { supportEnsemble } }));
  assert.notEqual(hash(0), hash(5));
  assert.notEqual(hash(3), hash(5));
});

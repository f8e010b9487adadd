/**
 * The active collection loop (lib/active/active-loop.ts) on the analytic oracle (oracle.ts) with
 * the cheap ridge ensemble (ridge-ensemble.ts): the dataset's shape (ids, splits, the validation
 * records and the random start are random collection's draws), seeded determinism, each round's
 * plan written before it is scored, and a kill simulated in-process (an oracle that throws after n
 * FIDs) followed by a rerun ending with the records of an uninterrupted run, without retraining a
 * planned round.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runActiveCollection, type ActiveJob, type ActiveLoopOptions, type ActiveRecord, type ActiveSettings } from '../../lib/active/active-loop';
import { memoryPlanStore, planFileStore, type PlanStore } from '../../lib/active/active-plan';
import { costOf, latencyTable } from '../../lib/search/budget';
import { scheduleKey } from '../../lib/search/score-cache';
import { isKitError } from '../../lib/util/errors';
import { BUDGETS, LATENCY, LENGTH, NUM_MODELS, SOLVER, makeOracle, randomSchedule, splitOfId } from './oracle';
import { ridgeTrainer } from './ridge-ensemble';
import { tempDir } from '../helpers/temp-dir';

const COUNT = 60;
const SETTINGS: ActiveSettings = { ensembleSize: 3, initialRecords: 8, perRound: 6, acquisition: 'thompson', seed: 5 };
const kit = (re: RegExp) => (e: unknown) => isKitError(e) && re.test((e as Error).message);

interface Run { records: ActiveRecord[]; trainings: number; plan: PlanStore; store: ActiveRecord[] }

/**
 * One run of the loop; `store` is the dataset (records persisted one by one as the oracle gives
 * them), `failAfter` makes the oracle throw once it has given that many FIDs in this run, and
 * `failTrainingAt` makes the training of that round throw (a kill between rounds).
 */
async function run(o: { settings?: Partial<ActiveSettings>; store?: ActiveRecord[]; plan?: PlanStore; failAfter?: number; failTrainingAt?: number; onJob?: (j: ActiveJob) => void; count?: number } = {}): Promise<Run> {
  const oracle = makeOracle(1);
  const store = o.store ?? [];
  const plan = o.plan ?? memoryPlanStore();
  const calls = { count: 0 };
  let given = 0;
  const ridge = ridgeTrainer(LENGTH, NUM_MODELS, calls);
  const options: ActiveLoopOptions<ActiveRecord> = {
    solver: SOLVER, length: LENGTH, numModels: NUM_MODELS, latency: LATENCY, budgets: BUDGETS, count: o.count ?? COUNT,
    settings: { ...SETTINGS, ...o.settings },
    search: { generations: 40 },
    randomSchedule, splitOf: splitOfId,
    records: [...store],
    score: async (jobs) => {
      const out: ActiveRecord[] = [];
      for (const j of jobs) {
        if (o.failAfter !== undefined && given >= o.failAfter) throw new Error('killed');
        o.onJob?.(j);
        const rec: ActiveRecord = { id: j.id, split: splitOfId(j.id), schedule: j.schedule, fid: oracle.fid(j.schedule), ...(j.round !== undefined ? { round: j.round } : {}) };
        given++;
        store.push(rec);
        out.push(rec);
      }
      return out;
    },
    train: (training, round) => {
      if (round.round === o.failTrainingAt) throw new Error('killed');
      return ridge(training, round);
    },
    plan,
    identity: { oracle: 1 },
  };
  const r = await runActiveCollection(options);
  return { records: r.records, trainings: calls.count, plan, store };
}

let whole: Promise<Run> | undefined;
const uninterrupted = () => (whole ??= run());

test('the dataset has random collection\'s ids and splits, and its validation records and random start are random collection\'s draws', async () => {
  const { records, plan } = await uninterrupted();
  assert.deepEqual(records.map((r) => r.id), Array.from({ length: COUNT }, (_, id) => id));
  for (const r of records) assert.equal(r.split, splitOfId(r.id));
  const trainIds = records.filter((r) => r.split === 'train').map((r) => r.id);
  const initial = new Set(trainIds.slice(0, SETTINGS.initialRecords));
  for (const r of records) {
    if (r.split === 'validation' || initial.has(r.id)) {
      assert.deepEqual(r.schedule, randomSchedule(r.id), `record ${r.id} is random collection's draw`);
      assert.equal(r.round, undefined);
    } else {
      assert.ok(r.round !== undefined && r.round >= 1, `record ${r.id} was chosen by a round`);
    }
  }
  // rounds of perRound records until the training ids run out; no schedule scored twice
  const rounds = plan.read()!.rounds;
  assert.equal(rounds.length, Math.ceil((trainIds.length - SETTINGS.initialRecords) / SETTINGS.perRound));
  assert.equal(new Set(records.map((r) => scheduleKey(r.schedule))).size, COUNT);
  // each round trained on the training records scored before it, and its picks fit their budgets
  const priced = latencyTable(LATENCY, NUM_MODELS);
  let before = [...initial];
  for (const r of rounds) {
    assert.deepEqual(r.trainedOn, before.sort((a, b) => a - b));
    assert.equal(r.randomDraws, 0);
    for (const c of r.chosen) assert.ok(costOf(c.schedule, priced) <= c.budget!, `round ${r.round} record ${c.id} fits ${c.budget}`);
    assert.ok(r.chosen.every((c) => c.member !== null && c.member >= 0 && c.member < SETTINGS.ensembleSize));
    before = [...before, ...r.chosen.map((c) => c.id)];
  }
  // Thompson picks spread over the grid: every budget got records
  assert.deepEqual(new Set(rounds.flatMap((r) => r.chosen.map((c) => c.budget))), new Set(BUDGETS));
});

test('same seed, same records; another seed chooses other schedules but keeps the random draws', async () => {
  const a = await uninterrupted();
  const b = await run();
  assert.deepEqual(b.records, a.records);
  const c = await run({ settings: { seed: 6 } });
  const chosen = (r: Run) => r.records.filter((x) => x.round !== undefined).map((x) => scheduleKey(x.schedule));
  assert.notDeepEqual(chosen(c), chosen(a));
  assert.deepEqual(c.records.filter((x) => x.round === undefined), a.records.filter((x) => x.round === undefined));
});

test('every round\'s plan is written before its first record is scored', async () => {
  const plan = memoryPlanStore();
  const seen: number[] = [];
  await run({
    plan,
    onJob: (j) => {
      if (j.round === undefined) return;
      const round = plan.read()?.rounds.find((r) => r.round === j.round);
      assert.ok(round, `round ${j.round} is in the plan when record ${j.id} is scored`);
      assert.ok(round.chosen.some((c) => c.id === j.id && scheduleKey(c.schedule) === scheduleKey(j.schedule)));
      seen.push(j.round);
    },
  });
  assert.ok(seen.length > 0);
});

test('killed inside the first batch, inside a round or between rounds, a rerun ends with the uninterrupted records and retrains no planned round', async () => {
  const ref = await uninterrupted();
  const dir = tempDir('omsdpm-active-');
  const firstBatch = ref.records.filter((r) => r.round === undefined).length;
  // in the first batch; inside round 2 (after its plan was written); while round 3's ensemble trains
  const kills: { failAfter?: number; failTrainingAt?: number }[] = [{ failAfter: 5 }, { failAfter: firstBatch + SETTINGS.perRound + 2 }, { failTrainingAt: 3 }];
  for (const [i, kill] of kills.entries()) {
    const plan = planFileStore(path.join(dir, `plan-${i}.json`));
    const store: ActiveRecord[] = [];
    await assert.rejects(run({ plan, store, ...kill }), /killed/);
    if (kill.failAfter !== undefined) assert.equal(store.length, kill.failAfter, 'every record given before the kill was persisted');
    // every finished training of the killed run wrote its round's plan before anything was scored
    const trainedBefore = plan.read()?.rounds.length ?? 0;
    const rerun = await run({ plan, store });
    assert.deepEqual(rerun.records, ref.records, `kill ${JSON.stringify(kill)}`);
    assert.equal(trainedBefore + rerun.trainings, ref.trainings, `kill ${JSON.stringify(kill)}: no round trained twice`);
  }
});

test('a plan made with other settings, or a dataset that does not match the plan, is refused with the fix', async () => {
  const { plan, store } = await run({ count: 30 });
  await assert.rejects(run({ plan, store: [...store], settings: { perRound: 7 }, count: 40 }), kit(/plan memory was made with other settings \(perRound: 6 -> 7\)/));
  const wrong = store.map((r) => (r.round === 1 ? { ...r, schedule: randomSchedule(r.id) } : r));
  await assert.rejects(run({ plan, store: wrong, count: 40 }), kit(/record \d+ of the dataset has schedule .* but round 1 of the plan gives it/));
  // growing the count continues the same plan: new validation draws, then more rounds
  const grown = await run({ plan, store: [...store], count: 40 });
  assert.deepEqual(grown.records.filter((r) => r.id < 30), [...store].sort((a, b) => a.id - b.id));
  assert.equal(grown.records.length, 40);
});

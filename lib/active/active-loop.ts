/**
 * Active collection of the schedule-FID dataset (issue 19, item 1), as a pure loop: the oracle
 * (`score`: schedules in, FIDs out, each record persisted by the caller as it arrives), the
 * ensemble trainer and the plan store are passed in, so the loop runs the same on real FIDs and
 * on an analytic oracle.
 *
 * Records are ids 0..count-1 with the splits random collection gives them (splitOf(id)), so the
 * dataset has the same size and split as a random one of `count` records:
 *
 *   1. the first batch, scored before any round: every validation id, with the random schedule
 *      random collection draws for it, so the validation records are a fixed random sample
 *      (Kendall tau on them compares with random collection's), and the first `initialRecords`
 *      training ids, also with their random schedules (the random start);
 *   2. rounds r = 1, 2, ... while training ids are left: an ensemble of K predictors is trained on
 *      the training-split records scored so far (bootstrap resamples,
 *      lib/predictor/ensemble.ts; validation
 *      records never), the acquisition (acquisition.ts) searches the front's budget grid and picks
 *      up to `perRound` schedules not scored yet, which become the next training ids in id order;
 *      the round's plan is written (active-plan.ts) and then scored. A round the searches cannot
 *      fill (nothing unscored left) is filled with the ids' random schedules.
 *
 * Everything is seeded by (settings.seed, round): same seed, same trainer, same records. A rerun
 * scores what the first batch and the planned rounds still miss before it trains anything, so a
 * kill between or inside rounds loses at most the records in flight. Growing `count` later adds
 * the new validation ids' random records and more rounds (the last round of the smaller run may
 * have been cut short, so the result can differ from one run at the larger count there).
 */
import { KitError } from '../util/errors';
import { streamRng, streamSeed } from '../util/rng';
import { samplerKey, type SolverName } from '../schedule/index';
import { frontSearch } from '../search/front-search';
import type { FrontSearchSettings } from '../search/front-search-settings';
import { scheduleKey } from '../search/score-cache';
import { ACQUISITIONS, acquire, type AcquiredSchedule, type Acquisition } from './acquisition';
import { openPlan, type ActivePlan, type PlanStore, type PlannedRecord, type RoundPlan } from './active-plan';
import type { EnsembleRecord, EnsembleTrainer } from '../predictor/ensemble';

export interface ActiveSettings {
  /** K, predictors per ensemble */
  ensembleSize: number;
  /** training-split records drawn at random before the first round */
  initialRecords: number;
  /** new training-split records per round */
  perRound: number;
  acquisition: Acquisition;
  /** seed of the resamples, searches and draws of every round */
  seed: number;
}

/** A scored record as the loop keeps it: what an ensemble trains on, and the round that chose it. */
export interface ActiveRecord extends EnsembleRecord {
  /** the round whose ensemble chose it; absent for random draws */
  round?: number;
}

/** A record to score: its id, its schedule, and the round that chose it (absent: a random draw of the first batch). */
export interface ActiveJob { id: number; schedule: number[]; round?: number }

export interface ActiveLoopOptions<R extends ActiveRecord> {
  solver: SolverName;
  /** schedule length L of the dataset (the searches' length too) */
  length: number;
  numModels: number;
  /** latency per model index [0, m1..mN] */
  latency: readonly number[];
  /** the front's budget grid, in the latencies' unit */
  budgets: readonly number[];
  /** records 0..count-1 make the dataset */
  count: number;
  settings: ActiveSettings;
  /** overrides of the whole-front search's settings (generations, population, ...) */
  search?: Partial<FrontSearchSettings>;
  /** random collection's schedule of record `id` */
  randomSchedule: (id: number) => number[];
  /** random collection's split of record `id` */
  splitOf: (id: number) => 'train' | 'validation';
  /** the records scored already (a resumed run), any order */
  records: readonly R[];
  /** scores jobs and returns their records (any order); persists each as it arrives, so a throw loses only those in flight */
  score: (jobs: ActiveJob[]) => Promise<R[]>;
  train: EnsembleTrainer;
  plan: PlanStore;
  /** what the choices depend on beyond `settings` (experiment, solver, record key, predictor settings): a stored plan must match */
  identity?: Record<string, unknown>;
  /** told each round's plan once it is written, before it is scored */
  onRound?: (plan: RoundPlan) => void;
  /** told when the ensemble of a round starts training, and on how many records */
  onTraining?: (round: number, records: number) => void;
}

export interface ActiveLoopResult<R> {
  /** every record, id order */
  records: R[];
  /** the plan as written last */
  plan: ActivePlan;
  /** records this run scored */
  scored: number;
}

/** Which ids are which: training and validation ids below count, and the random start's training ids. */
interface IdLayout { train: number[]; validation: number[]; initial: Set<number> }

function checkSettings(o: ActiveLoopOptions<ActiveRecord>): void {
  const s = o.settings;
  const positive = (name: string, v: number, min = 1) => {
    if (!Number.isInteger(v) || v < min) throw new KitError(`active collection: ${name} must be an integer >= ${min}, got ${v}`, { hint: `set collection.active.${name} (oms-dpm config keys collection.active lists them)` });
  };
  positive('ensembleSize', s.ensembleSize);
  positive('initialRecords', s.initialRecords, 4);
  positive('perRound', s.perRound);
  if (!ACQUISITIONS.includes(s.acquisition)) throw new KitError(`active collection: unknown acquisition '${String(s.acquisition)}'`, { hint: `collection.active.acquisition is one of ${ACQUISITIONS.join(', ')}` });
  if (!Number.isInteger(o.count) || o.count < 1) throw new KitError(`active collection: count must be a positive integer, got ${o.count}`, { hint: 'pass --count N' });
}

function idLayout(o: ActiveLoopOptions<ActiveRecord>): IdLayout {
  const train: number[] = [];
  const validation: number[] = [];
  for (let id = 0; id < o.count; id++) (o.splitOf(id) === 'train' ? train : validation).push(id);
  return { train, validation, initial: new Set(train.slice(0, o.settings.initialRecords)) };
}

/** The ids the plan's rounds chose; a KitError when a plan claims an id that is not a training id past the random start. */
function plannedIds(plan: ActivePlan, o: ActiveLoopOptions<ActiveRecord>, ids: IdLayout, where: string): Set<number> {
  const planned = new Set<number>();
  for (const r of plan.rounds) {
    for (const c of r.chosen) {
      if (o.splitOf(c.id) !== 'train' || ids.initial.has(c.id) || planned.has(c.id)) {
        throw new KitError(`the active collection plan ${where}, round ${r.round}: record ${c.id} is not a free training id (validation, random start or chosen twice)`, {
          hint: 'the plan belongs to another dataset: move it and the active dataset away to start anew',
        });
      }
      planned.add(c.id);
    }
  }
  return planned;
}

/** The records by id, and scoring of the jobs not among them. */
class RecordSet<R extends ActiveRecord> {
  readonly byId = new Map<number, R>();
  scored = 0;

  constructor(records: readonly R[], private readonly o: ActiveLoopOptions<R>) {
    for (const r of records) this.byId.set(r.id, r);
  }

  /** Scores the jobs whose ids have no record; a record already there must have the job's schedule. */
  async scoreMissing(jobs: ActiveJob[], what: string): Promise<void> {
    const missing: ActiveJob[] = [];
    for (const j of jobs) {
      const have = this.byId.get(j.id);
      if (!have) missing.push(j);
      else if (scheduleKey(have.schedule) !== scheduleKey(j.schedule)) {
        throw new KitError(`record ${j.id} of the dataset has schedule [${have.schedule.join(', ')}], but ${what} gives it [${j.schedule.join(', ')}]`, {
          hint: 'the dataset and the plan (or the collection seeds) do not belong together: move the active dataset and its plan away to start anew, or restore the settings they were made with',
        });
      }
    }
    if (missing.length === 0) return;
    const want = new Set(missing.map((j) => j.id));
    for (const r of await this.o.score(missing)) {
      if (!want.has(r.id)) throw new Error(`active collection: the score function returned record ${r.id}, which was not asked for`);
      this.byId.set(r.id, r);
      this.scored++;
    }
  }

  /** The training-split records, id order. */
  training(): R[] {
    return [...this.byId.values()].filter((r) => r.split === 'train').sort((a, b) => a.id - b.id);
  }
}

/** What a stored plan must match: the caller's identity, the loop's settings and the search settings. */
export function planIdentity(o: Pick<ActiveLoopOptions<ActiveRecord>, 'identity' | 'settings' | 'search'>): Record<string, unknown> {
  const { ensembleSize, initialRecords, perRound, acquisition, seed } = o.settings;
  return { ...o.identity, ensembleSize, initialRecords, perRound, acquisition, seed, search: o.search ?? {} };
}

/** Runs active collection to `count` records; see the file comment. */
export async function runActiveCollection<R extends ActiveRecord>(o: ActiveLoopOptions<R>): Promise<ActiveLoopResult<R>> {
  checkSettings(o);
  const { perRound } = o.settings;
  const plan = openPlan(o.plan, planIdentity(o));
  const ids = idLayout(o);
  const planned = plannedIds(plan, o, ids, o.plan.where);
  const records = new RecordSet(o.records, o);

  const firstBatch = [...ids.validation, ...ids.initial].sort((a, b) => a - b);
  await records.scoreMissing(firstBatch.map((id) => ({ id, schedule: o.randomSchedule(id) })), 'random collection');
  for (const r of plan.rounds) await records.scoreMissing(r.chosen.map((c) => ({ id: c.id, schedule: c.schedule, round: r.round })), `round ${r.round} of the plan`);

  for (;;) {
    const free = ids.train.filter((id) => !ids.initial.has(id) && !planned.has(id));
    if (free.length === 0) break;
    const round = await planRound(o, plan, records, free.slice(0, perRound));
    plan.rounds.push(round);
    o.plan.write(plan);
    for (const c of round.chosen) planned.add(c.id);
    o.onRound?.(round);
    await records.scoreMissing(round.chosen.map((c) => ({ id: c.id, schedule: c.schedule, round: round.round })), `round ${round.round} of the plan`);
  }
  return { records: [...records.byId.values()].sort((a, b) => a.id - b.id), plan, scored: records.scored };
}

/** Trains the round's ensemble, acquires a schedule for each of `ids` (random draws where it runs out) and returns the round's plan. */
async function planRound<R extends ActiveRecord>(o: ActiveLoopOptions<R>, plan: ActivePlan, records: RecordSet<R>, ids: number[]): Promise<RoundPlan> {
  const { ensembleSize, acquisition, seed } = o.settings;
  const round = plan.rounds.length + 1;
  const training = records.training();
  o.onTraining?.(round, training.length);
  const t0 = performance.now();
  const ensemble = await o.train(training, { round, members: ensembleSize, seed });
  const t1 = performance.now();
  const samplerOf = (schedule: readonly number[]) => samplerKey(o.solver, schedule);
  const exclude = new Set<string>([...records.byId.values()].map((r) => samplerOf(r.schedule)));
  for (const r of plan.rounds) for (const c of r.chosen) exclude.add(samplerOf(c.schedule));
  let picks: AcquiredSchedule[];
  try {
    picks = await acquire(acquisition, {
      ensemble,
      search: (label, score) =>
        frontSearch({ solver: o.solver, length: o.length, numModels: o.numModels, latency: o.latency, budgets: o.budgets, score, seed: streamSeed(seed, 'active-search', round, label), settings: o.search }),
      want: ids.length,
      exclude,
      samplerOf,
      rng: streamRng(seed, 'active-acquisition', round),
      reference: training.map((r) => r.schedule),
    });
  } finally {
    await ensemble.release();
  }
  const chosen: PlannedRecord[] = ids.map((id, i) => {
    const p = picks[i];
    return p ? { id, schedule: p.schedule, budget: p.budget, member: p.member, score: p.score } : { id, schedule: o.randomSchedule(id), budget: null, member: null, score: null };
  });
  const seconds = { training: (t1 - t0) / 1000, search: (performance.now() - t1) / 1000 };
  return { round, seed, acquisition, trainedOn: training.map((r) => r.id), budgets: [...o.budgets], chosen, randomDraws: ids.length - picks.length, seconds };
}

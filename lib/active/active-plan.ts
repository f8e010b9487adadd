/**
 * The plan of an active collection: every round's choice, written (atomically) before any of its
 * schedules is scored, so that a run killed between or inside rounds is resumed without
 * retraining: the rerun reads the plan, scores the planned records that are not in the dataset
 * yet, and only then trains the next round's ensemble. A kill therefore loses the records in
 * flight and, at worst, the training of a round whose plan was not written yet.
 *
 * A round's entry says what chose it: the round number, the seed, the ids of the training records
 * its ensemble trained on, the budget grid, and per chosen record its id, schedule, budget, the
 * member that ranked it and that member's score. The plan's identity (the experiment, solver,
 * record key and every setting the choices depend on) must equal the run's: a plan made under
 * other settings would make the resumed dataset one that no single run makes.
 */
import * as fs from 'node:fs';
import { canonicalJson } from '../config/index';
import { writeJsonAtomic } from '../util/atomic-file';
import { KitError } from '../util/errors';
import type { Acquisition } from './acquisition';

export const PLAN_KIND = 'oms-dpm-active-collection-plan';

/** One record a round chose. */
export interface PlannedRecord {
  id: number;
  schedule: number[];
  /** the grid budget it was picked for; null when drawn at random (the searches had nothing unscored left) */
  budget: number | null;
  /** thompson: the member whose search ranked it; null for lcb and random draws */
  member: number | null;
  /** the acquisition's score of it (a ranking score, comparable within one member only); null for random draws */
  score: number | null;
}

export interface RoundPlan {
  /** 1-based */
  round: number;
  /** the seed the round's resamples, searches and draws derive from (with the round number) */
  seed: number;
  acquisition: Acquisition;
  /** ids of the training-split records the round's ensemble was trained on, ascending */
  trainedOn: number[];
  budgets: number[];
  chosen: PlannedRecord[];
  /** how many of `chosen` were drawn at random */
  randomDraws: number;
  /** seconds spent training the ensemble and searching */
  seconds: { training: number; search: number };
}

export interface ActivePlan {
  kind: typeof PLAN_KIND;
  version: 1;
  /** what the choices depend on (experiment, solver, record key, settings); a rerun must match it */
  identity: Record<string, unknown>;
  rounds: RoundPlan[];
}

/** Where a plan lives: a file beside the dataset, or memory (tests). */
export interface PlanStore {
  /** the plan written last, or null when there is none */
  read(): ActivePlan | null;
  /** replaces the plan (atomically: a kill leaves the old plan or the new one) */
  write(plan: ActivePlan): void;
  /** how the store is named in messages */
  readonly where: string;
}

/** The plan in `file` (JSON, replaced atomically on every write). */
export function planFileStore(file: string): PlanStore {
  return {
    where: file,
    read() {
      if (!fs.existsSync(file)) return null;
      let plan: ActivePlan;
      try {
        plan = JSON.parse(fs.readFileSync(file, 'utf8')) as ActivePlan;
      } catch (e) {
        throw new KitError(`active collection plan ${file} cannot be read: ${(e as Error).message}`, {
          hint: 'it is written atomically, so this is damage from outside: move it away together with the active dataset to start the active collection anew',
        });
      }
      if (plan.kind !== PLAN_KIND || !Array.isArray(plan.rounds)) {
        throw new KitError(`${file} is not an active collection plan (kind ${JSON.stringify(plan.kind)})`, { hint: 'move it away; the plan is schedule-fid-<solver>.active.plan.json beside the active dataset' });
      }
      return plan;
    },
    write(plan) {
      writeJsonAtomic(file, plan);
    },
  };
}

/** A plan kept in memory: the same contract without a file. */
export function memoryPlanStore(): PlanStore {
  let text: string | null = null;
  return {
    where: 'memory',
    read: () => (text === null ? null : (JSON.parse(text) as ActivePlan)),
    write: (plan) => void (text = JSON.stringify(plan)),
  };
}

/** The stored plan, checked against this run's identity, or a fresh one without rounds. */
export function openPlan(store: PlanStore, identity: Record<string, unknown>): ActivePlan {
  const plan = store.read();
  if (plan === null) return { kind: PLAN_KIND, version: 1, identity, rounds: [] };
  const want = JSON.parse(canonicalJson(identity)) as Record<string, unknown>;
  const changed = [...new Set([...Object.keys(want), ...Object.keys(plan.identity ?? {})])].filter(
    (k) => canonicalJson(want[k] ?? null) !== canonicalJson(plan.identity?.[k] ?? null),
  );
  if (changed.length > 0) {
    const what = changed.map((k) => `${k}: ${JSON.stringify(plan.identity?.[k] ?? null)} -> ${JSON.stringify(want[k] ?? null)}`).join('; ');
    throw new KitError(`the active collection plan ${store.where} was made with other settings (${what})`, {
      hint: 'restore those settings to continue it, or move the plan and the active dataset away to start anew (its records cannot be continued under other choices)',
    });
  }
  return plan;
}

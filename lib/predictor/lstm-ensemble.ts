/**
 * A predictor ensemble (ensemble.ts) made of the kit's LSTM ranking predictors (method doc §5):
 * K members, each trained on its own bootstrap resample of the training-split records
 * (member-training.ts says how, and why the members are reproducible). Active collection trains
 * one per round; the front trains one to measure where its predictor may be trusted
 * (lib/front/support-ensemble.ts), and keeps its weights (`keepIn`) to reuse them.
 *
 * With `processes` > 1 the members train that many at a time, each in a child process
 * (member-process.ts), which write their weights to a folder that this process reads back (a
 * temporary one unless `keepIn` names one): while they train, the scoring workers have nothing to
 * do, so the cores are free. With 1 they train one after another in this process. The members are
 * the same either way.
 *
 * Members score on ONNX Runtime when it loads (batched-scorer.ts), as the search's predictor does.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { batchedScorer, type BatchedScorer, type ScorerChoice } from './batched-scorer';
import { loadPredictor, savePredictor } from './checkpoint';
import type { EnsembleRecord, EnsembleRound, EnsembleTrainer, PredictorEnsemble } from './ensemble';
import { trainMemberInChild } from './member-process';
import { trainMember, type MemberSpec } from './member-training';
import type { SchedulePredictor } from './predictor';
import type { PredictorEvaluation } from './train';

export interface LstmEnsembleOptions extends MemberSpec {
  /** members trained at once, each in a child process; 1 (default): one after another in this process */
  processes?: number;
  /** which engine scores (default auto: ONNX Runtime when it loads) */
  scorer?: ScorerChoice;
  /** told when member `member` of a round starts training (evaluation null), and after each of its evaluations */
  onMember?: (round: number, member: number, evaluation: PredictorEvaluation | null) => void;
  /** keep the members' weights in this folder (`memberFile`, written atomically); default: a temporary folder, removed */
  keepIn?: string;
}

/** Member k's weights in a folder of kept members. */
export const memberFile = (dir: string, k: number): string => path.join(dir, `member-${k}.bin`);

interface Member { predictor: SchedulePredictor; scorer: BatchedScorer | null }

async function releaseAll(members: readonly Member[]): Promise<void> {
  for (const m of members) {
    await m.scorer?.release();
    m.predictor.dispose();
  }
}

/** The K predictors of `round`, trained in this process or `processes` at a time in child processes. */
async function trainPredictors(o: LstmEnsembleOptions, training: readonly EnsembleRecord[], round: EnsembleRound, into: Member[]): Promise<void> {
  const spec: MemberSpec = { predictor: o.predictor, training: o.training, epochs: o.epochs };
  const processes = Math.min(o.processes ?? 1, round.members);
  const info = (k: number) => ({ round: round.round, member: k, stream: round.stream ?? 'active' });
  if (processes <= 1) {
    for (let k = 0; k < round.members; k++) {
      o.onMember?.(round.round, k, null);
      const predictor = trainMember(spec, training, round, k, (e) => o.onMember?.(round.round, k, e));
      into.push({ predictor, scorer: null });
      if (o.keepIn) savePredictor(memberFile(o.keepIn, k), predictor, info(k));
    }
    return;
  }
  // The temporary folder only carries the weights from the children to here: removed once they are
  // read back (the members live in memory from then on), or on failure; a `keepIn` folder is the caller's.
  const dir = o.keepIn ?? fs.mkdtempSync(path.join(os.tmpdir(), 'omsdpm-members-'));
  try {
    await trainInChildren(o, spec, training, round, processes, dir);
    for (let k = 0; k < round.members; k++) into.push({ predictor: loadPredictor(memberFile(dir, k)).predictor, scorer: null });
  } finally {
    if (!o.keepIn) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Trains the members of `round` `processes` at a time in child processes, each writing its weights
 * to `dir`. After a failure no further member starts, and the children already training are waited
 * for before the failure is thrown: a child still running when the caller removes `dir` would
 * write into it again (and recreate it, left behind).
 */
async function trainInChildren(o: LstmEnsembleOptions, spec: MemberSpec, training: readonly EnsembleRecord[], round: EnsembleRound, processes: number, dir: string): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    try {
      for (let k = next++; k < round.members && !failed; k = next++) {
        o.onMember?.(round.round, k, null);
        await trainMemberInChild(spec, training, round, k, memberFile(dir, k), (e) => o.onMember?.(round.round, k, e));
      }
    } catch (e) {
      failed = true;
      throw e;
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: processes }, worker));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
}

/** The ensemble of `members` (scorers made here); on failure every member is released. */
async function ensembleOf(members: Member[], load: (into: Member[]) => Promise<void>, scorer?: ScorerChoice): Promise<PredictorEnsemble> {
  const scorers: BatchedScorer[] = [];
  try {
    await load(members);
    for (const m of members) scorers.push((m.scorer = await batchedScorer(m.predictor, scorer)));
  } catch (e) {
    await releaseAll(members);
    throw e;
  }
  return {
    size: members.length,
    score: (k, schedules) => scorers[k].score(schedules),
    release: () => releaseAll(members),
  };
}

/** The LSTM ensemble trainer; see the file comment. */
export function lstmEnsembleTrainer(o: LstmEnsembleOptions): EnsembleTrainer {
  return (training, round) => ensembleOf([], (into) => trainPredictors(o, training, round, into), o.scorer);
}

/** An ensemble of members kept earlier (`keepIn`): the predictor files `files`, in member order. */
export function openLstmEnsemble(files: readonly string[], scorer?: ScorerChoice): Promise<PredictorEnsemble> {
  return ensembleOf([], async (into) => {
    for (const f of files) into.push({ predictor: loadPredictor(f).predictor, scorer: null });
  }, scorer);
}

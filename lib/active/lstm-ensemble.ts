/**
 * The predictor ensemble of active collection made of the kit's LSTM ranking predictors (method
 * doc §5; lib/predictor/): K members, each trained on its own bootstrap resample of the
 * training-split records (member-training.ts says how, and why the members are reproducible).
 *
 * With `processes` > 1 the members train that many at a time, each in a child process
 * (member-process.ts), which write their weights to a temporary folder that this process reads
 * back: while they train, the scoring workers have nothing to do, so the cores are free. With 1
 * they train one after another in this process. The members are the same either way.
 *
 * Members score on ONNX Runtime when it loads (batched-scorer.ts), as the search's predictor does.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { batchedScorer, type BatchedScorer, type ScorerChoice } from '../predictor/batched-scorer';
import { loadPredictor } from '../predictor/checkpoint';
import type { SchedulePredictor } from '../predictor/predictor';
import type { PredictorEvaluation } from '../predictor/train';
import type { ActiveRecord, EnsembleRound, EnsembleTrainer, PredictorEnsemble } from './ensemble';
import { trainMemberInChild } from './member-process';
import { trainMember, type MemberSpec } from './member-training';

export interface LstmEnsembleOptions extends MemberSpec {
  /** members trained at once, each in a child process; 1 (default): one after another in this process */
  processes?: number;
  /** which engine scores (default auto: ONNX Runtime when it loads) */
  scorer?: ScorerChoice;
  /** told when member `member` of a round starts training (evaluation null), and after each of its evaluations */
  onMember?: (round: number, member: number, evaluation: PredictorEvaluation | null) => void;
}

interface Member { predictor: SchedulePredictor; scorer: BatchedScorer | null }

async function releaseAll(members: readonly Member[]): Promise<void> {
  for (const m of members) {
    await m.scorer?.release();
    m.predictor.dispose();
  }
}

/** The K predictors of `round`, trained in this process or `processes` at a time in child processes. */
async function trainPredictors(o: LstmEnsembleOptions, training: readonly ActiveRecord[], round: EnsembleRound, into: Member[]): Promise<void> {
  const spec: MemberSpec = { predictor: o.predictor, training: o.training, epochs: o.epochs };
  const processes = Math.min(o.processes ?? 1, round.members);
  if (processes <= 1) {
    for (let k = 0; k < round.members; k++) {
      o.onMember?.(round.round, k, null);
      into.push({ predictor: trainMember(spec, training, round, k, (e) => o.onMember?.(round.round, k, e)), scorer: null });
    }
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omsdpm-members-'));
  try {
    const file = (k: number) => path.join(dir, `member-${k}.bin`);
    let next = 0;
    const worker = async () => {
      for (let k = next++; k < round.members; k = next++) {
        o.onMember?.(round.round, k, null);
        await trainMemberInChild(spec, training, round, k, file(k), (e) => o.onMember?.(round.round, k, e));
      }
    };
    await Promise.all(Array.from({ length: processes }, worker));
    for (let k = 0; k < round.members; k++) into.push({ predictor: loadPredictor(file(k)).predictor, scorer: null });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The LSTM ensemble trainer; see the file comment. */
export function lstmEnsembleTrainer(o: LstmEnsembleOptions): EnsembleTrainer {
  return async (training, round): Promise<PredictorEnsemble> => {
    const members: Member[] = [];
    const scorers: BatchedScorer[] = [];
    try {
      await trainPredictors(o, training, round, members);
      for (const m of members) scorers.push((m.scorer = await batchedScorer(m.predictor, o.scorer)));
    } catch (e) {
      await releaseAll(members);
      throw e;
    }
    return {
      size: members.length,
      score: (k, schedules) => scorers[k].score(schedules),
      release: () => releaseAll(members),
    };
  };
}

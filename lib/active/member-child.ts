/**
 * The child process of member-process.ts: trains one member of the LSTM ensemble
 * (member-training.ts) on the parent's TF.js backend, writes its weights to the file it was given
 * and reports back (util/child-task.ts). Not a command of its own.
 */
import { savePredictor } from '../predictor/checkpoint';
import type { PredictorEvaluation } from '../predictor/train';
import { initBackend, type BackendChoice } from '../tfjs/backend';
import { serveChildTask } from '../util/child-task';
import type { ActiveRecord, EnsembleRound } from './ensemble';
import { trainMember, type MemberSpec } from './member-training';

export interface MemberChildRequest { spec: MemberSpec; training: ActiveRecord[]; round: EnsembleRound; member: number; file: string; backend: BackendChoice }

serveChildTask<MemberChildRequest, PredictorEvaluation, null>(async (m, progress) => {
  await initBackend(m.backend);
  const predictor = trainMember(m.spec, m.training, m.round, m.member, progress);
  savePredictor(m.file, predictor, { round: m.round.round, member: m.member });
  predictor.dispose();
  return null;
});

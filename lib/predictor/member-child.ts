/**
 * The child process of member-process.ts: trains one member of the LSTM ensemble
 * (member-training.ts) on the parent's TF.js backend, writes its weights to the file it was given
 * and reports back (util/child-task.ts). Not a command of its own.
 */
import { initBackend, type BackendChoice } from '../tfjs/backend';
import { serveChildTask } from '../util/child-task';
import { savePredictor } from './checkpoint';
import type { EnsembleRecord, EnsembleRound } from './ensemble';
import { trainMember, type MemberSpec } from './member-training';
import type { PredictorEvaluation } from './train';

export interface MemberChildRequest { spec: MemberSpec; training: EnsembleRecord[]; round: EnsembleRound; member: number; file: string; backend: BackendChoice }

serveChildTask<MemberChildRequest, PredictorEvaluation, null>(async (m, progress) => {
  await initBackend(m.backend);
  const predictor = trainMember(m.spec, m.training, m.round, m.member, progress);
  savePredictor(m.file, predictor, { round: m.round.round, member: m.member });
  predictor.dispose();
  return null;
});

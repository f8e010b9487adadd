/**
 * One member of the LSTM ensemble trained in a child process (member-child.ts,
 * util/child-task.ts), so that members train side by side on a machine with 2+ cores (TF.js on
 * WASM runs one thread per process), while the scoring workers wait for the round's schedules. The
 * child trains on this process's TF.js backend, so its member equals the one this process would
 * train, and writes the weights to `file`; a child that fails or dies rejects the promise with its
 * message.
 */
import { backendInfo, type BackendChoice } from '../tfjs/backend';
import { runChildTask } from '../util/child-task';
import type { EnsembleRecord, EnsembleRound } from './ensemble';
import type { MemberChildRequest } from './member-child';
import type { MemberSpec } from './member-training';
import type { PredictorEvaluation } from './train';

export async function trainMemberInChild(spec: MemberSpec, training: readonly EnsembleRecord[], round: EnsembleRound, member: number, file: string, onEvaluate?: (e: PredictorEvaluation) => void): Promise<void> {
  const request: MemberChildRequest = { spec, training: training.map((r) => ({ id: r.id, split: r.split, schedule: r.schedule, fid: r.fid })), round, member, file, backend: backendInfo().backend as BackendChoice };
  await runChildTask(require.resolve('./member-child.ts'), request, `member ${member} of ${round.stream && round.stream !== 'active' ? `the ${round.stream} ensemble` : `round ${round.round}'s ensemble`}`, onEvaluate);
}

/**
 * One member of the LSTM ensemble trained in a child process (member-child.ts), so that members
 * train side by side on a machine with 2+ cores (TF.js on WASM runs one thread per process), while
 * the scoring workers wait for the round's schedules. The child trains on this process's TF.js
 * backend, so its member equals the one this process would train, and writes the weights to
 * `file`; a child that fails or dies rejects the promise with its message.
 */
import type { PredictorEvaluation } from '../predictor/train';
import { backendInfo, type BackendChoice } from '../tfjs/backend';
import { KitError } from '../util/errors';
import { forkTs } from '../util/fork-ts';
import type { ActiveRecord, EnsembleRound } from './ensemble';
import type { MemberChildReply, MemberChildRequest } from './member-child';
import type { MemberSpec } from './member-training';

export function trainMemberInChild(spec: MemberSpec, training: readonly ActiveRecord[], round: EnsembleRound, member: number, file: string, onEvaluate?: (e: PredictorEvaluation) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = forkTs(require.resolve('./member-child.ts'));
    const what = `member ${member} of round ${round.round}'s ensemble`;
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
    };
    child.on('message', (m: MemberChildReply) => {
      if (m.type === 'evaluation') onEvaluate?.(m.evaluation);
      else if (m.type === 'done') finish(resolve);
      else finish(() => reject(new KitError(`training ${what} failed: ${m.message}`, m.hint ? { hint: m.hint } : {})));
    });
    child.on('error', (e) => finish(() => reject(new KitError(`the process training ${what} could not be started: ${e.message}`))));
    // 'close' comes after the child's last message has been read, unlike 'exit'
    child.on('close', (code) => finish(() => reject(new KitError(`the process training ${what} exited with code ${code} before it finished`))));
    const request: MemberChildRequest = { spec, training: training.map((r) => ({ id: r.id, split: r.split, schedule: r.schedule, fid: r.fid })), round, member, file, backend: backendInfo().backend as BackendChoice };
    child.send(request);
  });
}

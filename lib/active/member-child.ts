/**
 * The child process of member-process.ts: trains one member of the LSTM ensemble
 * (member-training.ts) on the parent's TF.js backend, writes its weights to the file it was given
 * and reports back. Not a command of its own. Like the predictor's child (predictor-child.ts) it
 * stops when its parent is gone instead of training on as an orphan.
 */
import { savePredictor } from '../predictor/checkpoint';
import type { PredictorEvaluation } from '../predictor/train';
import { initBackend, type BackendChoice } from '../tfjs/backend';
import { isKitError } from '../util/errors';
import type { ActiveRecord, EnsembleRound } from './ensemble';
import { trainMember, type MemberSpec } from './member-training';

export interface MemberChildRequest { spec: MemberSpec; training: ActiveRecord[]; round: EnsembleRound; member: number; file: string; backend: BackendChoice }
export type MemberChildReply =
  | { type: 'evaluation'; evaluation: PredictorEvaluation }
  | { type: 'done' }
  | { type: 'error'; message: string; hint?: string };

const parent = process.ppid;
process.on('disconnect', () => process.exit(0));

process.once('message', (m: MemberChildRequest) => {
  void (async () => {
    const send = (r: MemberChildReply) => new Promise<void>((done) => process.send!(r, () => done()));
    try {
      await initBackend(m.backend);
      const predictor = trainMember(m.spec, m.training, m.round, m.member, (evaluation) => {
        if (process.ppid !== parent) process.exit(0);
        void send({ type: 'evaluation', evaluation });
      });
      savePredictor(m.file, predictor, { round: m.round.round, member: m.member });
      predictor.dispose();
      await send({ type: 'done' });
    } catch (e) {
      await send({ type: 'error', message: (e as Error).message, hint: isKitError(e) ? e.hint : undefined });
    }
    process.exit(0);
  })();
});

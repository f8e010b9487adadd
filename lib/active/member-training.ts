/**
 * Training of one member of the LSTM ensemble (lstm-ensemble.ts), the same in this process and in
 * a child process (member-child.ts): member k of round r is a fresh SchedulePredictor trained by
 * `trainPredictor` on its bootstrap resample (ensemble.ts) of the training-split records, with the
 * predictor.* settings (epochs possibly fewer: collection.active.epochs).
 *
 * Checkpoint choice: the experiment's own predictor holds back a selection part of the training
 * split to choose its epoch (experiment-predictor.ts); a member has that for free, its out-of-bag
 * records (about 36.8%), which its gradient steps never see. With fewer than 2 out-of-bag records
 * (tiny record counts) the member chooses on its in-bag records instead.
 *
 * Seeds: member k of round r initialises its weights from (predictor.seed, 'active-member', r, k)
 * and orders its batches from (predictor.seed, 'active-member-batches', r, k); its resample is
 * drawn from the round's seed. So a round trained again (after a kill), or in child processes
 * instead of this one (on the same TF.js backend), gets the same members.
 */
import type { PredictorTrainingConfig } from '../config/index';
import type { PredictorConfigInput } from '../predictor/config';
import { SchedulePredictor } from '../predictor/predictor';
import { trainPredictor, type PredictorEvaluation } from '../predictor/train';
import { streamSeed } from '../util/rng';
import { bootstrapSample, type ActiveRecord, type EnsembleRound } from './ensemble';

/** What a member's training depends on besides the records and the round (plain data: it crosses to a child process). */
export interface MemberSpec {
  /** the predictor's architecture: solver, zoo size, schedule length, timesteps (sizes default to the official ones) */
  predictor: PredictorConfigInput;
  /** predictor.* of the experiment (loss, learning rate, batch size, evaluation interval, seed) */
  training: PredictorTrainingConfig;
  /** epochs per member (collection.active.epochs, else predictor.epochs) */
  epochs: number;
}

const asSet = (rs: readonly ActiveRecord[]) => ({ schedules: rs.map((r) => r.schedule), fids: rs.map((r) => r.fid) });

/** Member `k` of `round`, trained on its resample of `training`; see the file comment. */
export function trainMember(spec: MemberSpec, training: readonly ActiveRecord[], round: EnsembleRound, k: number, onEvaluate?: (e: PredictorEvaluation) => void): SchedulePredictor {
  const { inBag, outOfBag } = bootstrapSample(training, round.seed, round.round, k);
  const selection = outOfBag.length >= 2 ? outOfBag : inBag;
  const pc = spec.training;
  const predictor = SchedulePredictor.create(spec.predictor, streamSeed(pc.seed, 'active-member', round.round, k));
  try {
    trainPredictor(predictor, asSet(inBag), asSet(selection), {
      epochs: spec.epochs,
      seed: streamSeed(pc.seed, 'active-member-batches', round.round, k),
      batchSize: pc.batchSize,
      lr: pc.learningRate,
      loss: pc.loss,
      evalEvery: pc.evalEvery,
      onEvaluate,
    });
    return predictor;
  } catch (e) {
    predictor.dispose();
    throw e;
  }
}

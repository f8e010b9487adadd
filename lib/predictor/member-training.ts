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
 * Seeds: member k of round r initialises its weights from (predictor.seed, '<stream>-member', r, k)
 * and orders its batches from (predictor.seed, '<stream>-member-batches', r, k), the stream being
 * the round's (default 'active'); its resample is drawn from the round's seed. So a round trained
 * again (after a kill), or in child processes instead of this one (on the same TF.js backend), gets
 * the same members, and the front's support ensemble (stream 'front-support') never an active round's.
 */
import type { PredictorTrainingConfig, ResolvedExperiment } from '../config/index';
import { streamSeed } from '../util/rng';
import type { PredictorConfigInput } from './config';
import { bootstrapSample, type EnsembleRecord, type EnsembleRound } from './ensemble';
import { SchedulePredictor } from './predictor';
import { trainPredictor, type PredictorEvaluation } from './train';

/** What a member's training depends on besides the records and the round (plain data: it crosses to a child process). */
export interface MemberSpec {
  /** the predictor's architecture: solver, zoo size, schedule length, timesteps (sizes default to the official ones) */
  predictor: PredictorConfigInput;
  /** predictor.* of the experiment (loss, learning rate, batch size, evaluation interval, seed) */
  training: PredictorTrainingConfig;
  /** epochs per member (collection.active.epochs, else predictor.epochs) */
  epochs: number;
}

const asSet = (rs: readonly EnsembleRecord[]) => ({ schedules: rs.map((r) => r.schedule), fids: rs.map((r) => r.fid) });

/** Member `k` of `round`, trained on its resample of `training`; see the file comment. */
export function trainMember(spec: MemberSpec, training: readonly EnsembleRecord[], round: EnsembleRound, k: number, onEvaluate?: (e: PredictorEvaluation) => void): SchedulePredictor {
  const stream = round.stream ?? 'active';
  const { inBag, outOfBag } = bootstrapSample(training, round.seed, round.round, k, stream);
  const selection = outOfBag.length >= 2 ? outOfBag : inBag;
  const pc = spec.training;
  const predictor = SchedulePredictor.create(spec.predictor, streamSeed(pc.seed, `${stream}-member`, round.round, k));
  try {
    trainPredictor(predictor, asSet(inBag), asSet(selection), {
      epochs: spec.epochs,
      seed: streamSeed(pc.seed, `${stream}-member-batches`, round.round, k),
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

/**
 * Epochs of an ensemble member, active collection's and the front's support ensemble's alike:
 * collection.active.epochs, else predictor.epochs.
 */
export function ensembleMemberEpochs(exp: ResolvedExperiment): number {
  return exp.config.collection.active.epochs ?? exp.config.predictor.epochs;
}

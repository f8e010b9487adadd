/**
 * A predictor ensemble: K members, each trained on its own bootstrap resample of the training-split
 * records D_train (drawn with replacement, |D_train| draws), each scoring a batch of schedules
 * (lower = better). Active collection (lib/active/) chooses records with one; the front
 * (lib/front/ensemble-spread.ts) asks one where the predictor may be trusted. It lives with the
 * predictor, below both users (the front sits below active collection, which searches its budget
 * grid), because it is predictors and their training and nothing of either user.
 *
 * Why bootstrap: the members then disagree where the records say little (few records near a
 * schedule, or records that pull different ways), and agree where many records agree, which is
 * what an acquisition needs to trade predicted quality against uncertainty (BANANAS: White,
 * Neiswanger & Savani, AAAI 2021; Lakshminarayanan et al. 2017 on ensembles).
 *
 * A member's scores are ranking scores, not FIDs (the ranking loss fixes their order, not their
 * scale), so two members' scores of one schedule cannot be compared, averaged or subtracted as
 * they are: lib/active/acquisition.ts and lib/front/ensemble-spread.ts use them in scale-free ways
 * only.
 */
import { streamRng } from '../util/rng';

/** A scored record as an ensemble trains on it (a ScheduleRecord has these and more). */
export interface EnsembleRecord {
  id: number;
  split: 'train' | 'validation';
  schedule: number[];
  fid: number;
}

export interface PredictorEnsemble {
  /** K, the number of members. */
  readonly size: number;
  /** Member `member`'s scores of `schedules` (lower = better predicted FID); one finite number each, in order. */
  score(member: number, schedules: number[][]): Promise<number[]>;
  /** Frees the members (weights, inference sessions). */
  release(): Promise<void>;
}

/** What a trainer is told besides the records: the round, the ensemble size and the seed its resamples are drawn from. */
export interface EnsembleRound {
  /** 1-based round number. */
  round: number;
  members: number;
  seed: number;
  /**
   * Name of the seed streams of the resamples and the members' weights (default 'active': active
   * collection's rounds). Another user names its own, so its members are never an active round's.
   */
  stream?: string;
}

/**
 * Trains an ensemble on the training-split records scored so far (never a validation record: the
 * validation tau stays an honest estimate). Deterministic in (records, round): a rerun that must
 * retrain gets the same members.
 */
export type EnsembleTrainer = (training: readonly EnsembleRecord[], round: EnsembleRound) => Promise<PredictorEnsemble>;

/** One member's bootstrap resample: `inBag` (with repeats) to train on, `outOfBag` (the records never drawn) to choose a checkpoint on. */
export interface BootstrapSample<R> { inBag: R[]; outOfBag: R[] }

/**
 * Member `member`'s resample of `records` in round `round`: |records| draws with replacement from
 * the stream (seed, '<stream>-bootstrap', round, member), stream 'active' unless told. About 36.8%
 * of the records are out of bag, a held-back set that comes for free with the resample.
 */
export function bootstrapSample<R>(records: readonly R[], seed: number, round: number, member: number, stream = 'active'): BootstrapSample<R> {
  const rng = streamRng(seed, `${stream}-bootstrap`, round, member);
  const n = records.length;
  const drawn = new Uint8Array(n);
  const inBag: R[] = [];
  for (let i = 0; i < n; i++) {
    const j = Math.floor(rng() * n);
    drawn[j] = 1;
    inBag.push(records[j]);
  }
  return { inBag, outOfBag: records.filter((_, j) => drawn[j] === 0) };
}

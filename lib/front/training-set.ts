/**
 * Baseline (b): the best schedule of the predictor's training set at the budget: among the
 * schedule-FID dataset's records of the 'train' split whose cost is <= C, the one with the lowest
 * recorded FID. No new sampling is needed to pick it (its FID is on the collection's image count).
 *
 * The cost is recomputed with the front's latency table instead of read from `costMs`: a record's
 * `costMs` is priced on the engine that collected it (and may be null), and every series of a front
 * must be priced alike.
 */
import type { ScheduleRecord } from '../collection/dataset-file';
import { scheduleCost } from '../schedule/index';
import { fitsBudget } from './candidate';

export interface TrainingPick {
  record: ScheduleRecord;
  cost: number;
  /** training records that fit the budget */
  fitting: number;
}

/** The lowest-FID training record with cost <= budget (ties: cheaper, then lower id), or null. */
export function bestTrainingRecord(records: readonly ScheduleRecord[], latency: readonly number[], budget: number): TrainingPick | null {
  let best: TrainingPick | null = null;
  let fitting = 0;
  for (const r of records) {
    if (r.split !== 'train') continue;
    const cost = scheduleCost(r.schedule, latency);
    if (!fitsBudget(cost, budget)) continue;
    fitting++;
    if (!best || r.fid < best.record.fid || (r.fid === best.record.fid && (cost < best.cost || (cost === best.cost && r.id < best.record.id)))) {
      best = { record: r, cost, fitting: 0 };
    }
  }
  return best ? { ...best, fitting } : null;
}

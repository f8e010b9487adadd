/**
 * What the collection study says: with every training record, which strategy's front is better
 * (the lower mean held-out FID difference to the best record-free baseline; random, the official
 * one, on a tie), and the fewest training records with which active collection's front does at
 * least as well as random collection's with all of them, as a share of all (the "front
 * quality of 450 random records with at most 150": a ratio of at most 1/3). Point estimates; each
 * point's interval stays in the study beside it.
 */
import type { CollectionStrategy } from '../collection/collect';

export interface StudyVerdict {
  /** the largest training-record count studied (every training record, by default) */
  allRecords: number;
  /** mean FID difference of each strategy's front with every record */
  randomAtAll: number;
  activeAtAll: number;
  /** the strategy with the lower mean difference at every record (random on a tie) */
  better: CollectionStrategy;
  /** fewest active training records whose mean difference is <= random's at all records; null if none */
  activeRecordsToMatch: number | null;
  /** activeRecordsToMatch / allRecords */
  ratio: number | null;
}

interface VerdictPoint {
  strategy: CollectionStrategy;
  trainingRecords: number;
  meanDifference: { value: number };
}

/** The verdict of a study's points; null until both strategies have a point at the largest count. */
export function studyVerdict(points: readonly VerdictPoint[]): StudyVerdict | null {
  const allRecords = Math.max(...points.map((p) => p.trainingRecords));
  const at = (s: CollectionStrategy) => points.find((p) => p.strategy === s && p.trainingRecords === allRecords);
  const random = at('random');
  const active = at('active');
  if (!random || !active) return null;
  const reference = random.meanDifference.value;
  const matching = points.filter((p) => p.strategy === 'active' && p.meanDifference.value <= reference).map((p) => p.trainingRecords);
  const activeRecordsToMatch = matching.length ? Math.min(...matching) : null;
  return {
    allRecords,
    randomAtAll: reference,
    activeAtAll: active.meanDifference.value,
    better: active.meanDifference.value < reference ? 'active' : 'random',
    activeRecordsToMatch,
    ratio: activeRecordsToMatch === null ? null : activeRecordsToMatch / allRecords,
  };
}

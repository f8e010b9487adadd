/**
 * The schedule-FID dataset that `collection.strategy` names, grown to `count` records: random
 * collection (lib/collection/collect.ts) or active collection (active-collect.ts). The one place
 * that reads the setting to choose, for `reproduce`'s collection stage and notebook 04 alike.
 */
import type { ResolvedExperiment } from '../config/index';
import { collect } from '../collection/collect';
import type { ScheduleRecord } from '../collection/dataset-file';
import type { SolverName } from '../schedule/index';
import { collectActive, type ActiveCollectOptions } from './active-collect';

/** Random collection ignores the active-only callbacks of `opts` (onCopied, onRound, onTraining, onMember). */
export function collectByStrategy(exp: ResolvedExperiment, solver: SolverName, count: number, opts: ActiveCollectOptions): Promise<ScheduleRecord[]> {
  return exp.config.collection.strategy === 'active' ? collectActive(exp, solver, count, opts) : collect(exp, solver, count, opts);
}

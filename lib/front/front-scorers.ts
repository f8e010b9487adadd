/**
 * The scorers and measurers a front computation can be given (FrontInputs.score, its held-out
 * measurer): a FID context on this process, one sampling at a time, or a scoring backend (the local
 * pool or the queue) that spreads the FIDs runFront asks for at once over its workers.
 */
import { measureSchedule, scoreSchedule, type FidContext } from '../evaluation/schedule-fid';
import type { ScoringBackend } from '../evaluation/scoring-backend';
import type { FrontScorer } from './front-inputs';
import type { FrontMeasurer } from './held-out';

/**
 * The scorer of a FID context: `scoreSchedule` on this process (sampling on the context's engine).
 * runFront asks for several FIDs at once; here they run one after another, since one process's
 * sampling and feature extraction are not meant to interleave.
 */
export function fidContextScorer(ctx: FidContext): FrontScorer {
  let last: Promise<unknown> = Promise.resolve();
  return (solver, schedule, images) => {
    const r = last.then(async () => {
      const s = await scoreSchedule(ctx, solver, schedule, images);
      return { fid: s.fid, images: s.images, engine: s.engine, seconds: s.seconds };
    });
    last = r.catch(() => undefined);
    return r;
  };
}

/** The measurer of a FID context, on this process, one sampling at a time (as fidContextScorer). */
export function fidContextMeasurer(ctx: FidContext): FrontMeasurer {
  let last: Promise<unknown> = Promise.resolve();
  return (solver, schedule, start, count) => {
    const r = last.then(async () => {
      const t0 = Date.now();
      const measures = await measureSchedule(ctx, solver, schedule, start, count);
      return { measures, engine: ctx.engine, seconds: (Date.now() - t0) / 1000 };
    });
    last = r.catch(() => undefined);
    return r;
  };
}

/** The scorer of a scoring backend (local pool or queue): the FIDs runFront asks for at once are spread over the workers. */
export function poolScorer(pool: ScoringBackend): FrontScorer {
  return async (solver, schedule, images) => {
    const r = await pool.score(solver, schedule, images);
    return { fid: r.fid, images: r.images, engine: pool.engine, seconds: r.seconds };
  };
}

/** The measurer of a scoring backend (held-out evaluations spread over the workers). */
export function poolMeasurer(pool: ScoringBackend): FrontMeasurer {
  return async (solver, schedule, start, count) => {
    const r = await pool.measure(solver, schedule, start, count);
    return { measures: r.measures, engine: pool.engine, seconds: r.seconds };
  };
}

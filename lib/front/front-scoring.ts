/**
 * The FIDs a front run asks for, each computed once: selection FIDs (noise-bank images
 * 0..images-1, what every series chooses by) and held-out evaluations (what every pick is reported
 * by). Both are looked up in the FID cache first (score-store.ts) and written to it the moment they
 * are known; a schedule already being scored for another series or budget is waited for instead
 * of sampled twice.
 */
import type { SolverName } from '../schedule/index';
import { candidateKey, type Candidate } from './candidate';
import type { FrontSeriesName } from './front-data';
import type { FrontInputs } from './front-inputs';
import { evaluateHeldOut } from './held-out';
import type { FrontScoreStore, HeldOutScore } from './score-store';

export class FrontScoring {
  private readonly selection = new Map<string, Promise<number>>();
  private readonly heldOut = new Map<string, Promise<HeldOutScore>>();

  constructor(private readonly run: FrontInputs, private readonly store: FrontScoreStore) {}

  /** FID of `c` on the selection images. */
  selectionFid(c: Candidate, series: FrontSeriesName, budget: number): Promise<number> {
    const run = this.run;
    const hit = this.store.get(c.solver, c.schedule, run.images);
    if (hit) return Promise.resolve(hit.fid);
    return once(this.selection, candidateKey(c.solver, c.schedule), () =>
      run.score(c.solver, c.schedule, run.images).then((r) => {
        this.store.put({ solver: c.solver, schedule: [...c.schedule], images: r.images, fid: r.fid, engine: r.engine, seconds: r.seconds });
        run.onEvent?.({ kind: 'score', series, budget, label: c.label, cost: c.cost, nfe: c.nfe, fid: r.fid, seconds: r.seconds });
        return r.fid;
      }),
    );
  }

  /** The held-out evaluation of a schedule. */
  heldOutScore(solver: SolverName, schedule: readonly number[], series: FrontSeriesName, budget: number, label: string): Promise<HeldOutScore> {
    const run = this.run;
    const hit = this.store.getHeldOut(solver, schedule, run.heldOut.settings);
    if (hit) return Promise.resolve(hit);
    return once(this.heldOut, candidateKey(solver, schedule), () =>
      evaluateHeldOut(run.heldOut, solver, schedule).then((s) => {
        this.store.putHeldOut(s);
        run.onEvent?.({ kind: 'held-out', series, budget, label, fid: s.fid, images: s.images, seconds: s.seconds });
        return s;
      }),
    );
  }
}

/** The promise in flight under `key`, or a new one from `make` that leaves the map when it settles. */
function once<T>(inFlight: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = inFlight.get(key);
  if (!p) {
    p = make();
    inFlight.set(key, p);
    void p.then(
      () => inFlight.delete(key),
      () => inFlight.delete(key),
    );
  }
  return p;
}

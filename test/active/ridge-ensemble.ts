/**
 * A cheap predictor ensemble for tests of active collection: each member is a ridge regression of
 * FID on one-hot (position, model) features, phi(s)_(p,m) = [s_p = m] for m >= 1, fitted on its
 * bootstrap resample (lib/predictor/ensemble.ts, the same resamples the LSTM ensemble uses). Fitted
 * in the dual, alpha = (Phi Phi^T + lambda I)^-1 (y - mean y), so the cost is one n x n solve, and
 * turned into a table w[p][m] = sum_i alpha_i [s_i,p = m], so scoring is a table lookup. It stands
 * in for the LSTM where a unit test must train dozens of ensembles in seconds.
 */
import type { ActiveRecord } from '../../lib/active/active-loop';
import { bootstrapSample, type EnsembleTrainer, type PredictorEnsemble } from '../../lib/predictor/ensemble';

const LAMBDA = 1;

/** Solves the symmetric positive definite system A x = b (Cholesky; A is n x n, row-major). */
function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i === j ? Math.sqrt(s) : s / l[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** One member: the table w[p][m] and the mean FID of its records. */
function fitMember(records: readonly ActiveRecord[], length: number, numModels: number): (s: readonly number[]) => number {
  const n = records.length;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let shared = 0;
      const a = records[i].schedule;
      const b = records[j].schedule;
      for (let p = 0; p < length; p++) if (a[p] !== 0 && a[p] === b[p]) shared++;
      k[i * n + j] = k[j * n + i] = shared + (i === j ? LAMBDA : 0);
    }
  }
  const mean = records.reduce((acc, r) => acc + r.fid, 0) / n;
  const alpha = solveSpd(k, Float64Array.from(records, (r) => r.fid - mean), n);
  const w = Array.from({ length }, () => new Float64Array(numModels + 1));
  records.forEach((r, i) => r.schedule.forEach((m, p) => m !== 0 && (w[p][m] += alpha[i])));
  return (s) => {
    let v = mean;
    for (let p = 0; p < length; p++) v += w[p][s[p]];
    return v;
  };
}

/** Trains `members` ridge members on bootstrap resamples; `calls` counts the trainings (for tests that check a resume does not retrain). */
export function ridgeTrainer(length: number, numModels: number, calls = { count: 0 }): EnsembleTrainer {
  return async (training, round): Promise<PredictorEnsemble> => {
    calls.count++;
    const members = Array.from({ length: round.members }, (_, m) => fitMember(bootstrapSample(training, round.seed, round.round, m).inBag, length, numModels));
    return { size: members.length, score: async (k, schedules) => schedules.map((s) => members[k](s)), release: async () => {} };
  };
}

/**
 * Frechet distance between two Gaussians N(mu1, S1), N(mu2, S2), the FID's formula:
 *
 *   d^2 = |mu1 - mu2|^2 + Tr(S1) + Tr(S2) - 2 Tr( (S1 S2)^{1/2} )
 *
 * computed in float64 with a numerically stable trace term: Tr((S1 S2)^{1/2}) equals
 * Tr((A S2 A)^{1/2}) with A = S1^{1/2}, and A S2 A is symmetric positive semi-definite, so both
 * square roots come from symmetric eigendecompositions (ml-matrix) with tiny negative eigenvalues
 * (round-off) clamped to 0 — no complex parts to discard as scipy.linalg.sqrtm needs.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

export interface GaussianStats {
  /** feature mean, length d */
  mu: Float64Array;
  /** feature covariance, d x d row-major */
  sigma: Float64Array;
  dim: number;
}

/** The symmetric square root of a symmetric PSD matrix (negative round-off eigenvalues clamped to 0). */
export function symmetricSqrt(m: Matrix): Matrix {
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const v = evd.eigenvectorMatrix;
  const d = evd.realEigenvalues.map((x) => Math.sqrt(Math.max(x, 0)));
  return v.mmul(Matrix.diag(d)).mmul(v.transpose());
}

/** A row-major n x n Float64Array as an ml-matrix Matrix. */
export function toMatrix(a: Float64Array, n: number): Matrix {
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, a[i * n + j]);
  return m;
}

/** Tr((S1 S2)^{1/2}) via two symmetric eigendecompositions. */
export function traceSqrtProduct(s1: Float64Array, s2: Float64Array, n: number): number {
  const a = symmetricSqrt(toMatrix(s1, n));
  const m = a.mmul(toMatrix(s2, n)).mmul(a);
  // symmetrise against round-off before the second decomposition
  const sym = m.add(m.transpose()).div(2);
  const evd = new EigenvalueDecomposition(sym, { assumeSymmetric: true });
  return evd.realEigenvalues.reduce((s, x) => s + Math.sqrt(Math.max(x, 0)), 0);
}

export function frechetDistance(a: GaussianStats, b: GaussianStats): number {
  if (a.dim !== b.dim) throw new Error(`feature dimensions differ: ${a.dim} vs ${b.dim}`);
  const n = a.dim;
  let meanTerm = 0;
  for (let i = 0; i < n; i++) meanTerm += (a.mu[i] - b.mu[i]) ** 2;
  let tr = 0;
  for (let i = 0; i < n; i++) tr += a.sigma[i * n + i] + b.sigma[i * n + i];
  return meanTerm + tr - 2 * traceSqrtProduct(a.sigma, b.sigma, n);
}

/** Mean and unbiased covariance (numpy.cov, rowvar=False) of `count` feature rows of length `dim`. */
export function featureStats(features: ArrayLike<number>, count: number, dim: number): GaussianStats {
  if (count < 2) throw new Error(`FID statistics need at least 2 images, got ${count}`);
  return weightedFeatureStats(features, new Uint32Array(count).fill(1), count, dim);
}

/**
 * Mean and unbiased covariance of `count` feature rows where row i appears `weights[i]` times
 * (weights sum to `count`): with unit weights `featureStats`, otherwise the statistics of a
 * bootstrap resample without copying rows.
 */
export function weightedFeatureStats(features: ArrayLike<number>, weights: ArrayLike<number>, count: number, dim: number): GaussianStats {
  const rows = weights.length;
  const mu = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    const w = weights[r];
    if (w === 0) continue;
    for (let j = 0; j < dim; j++) mu[j] += w * features[r * dim + j];
  }
  for (let j = 0; j < dim; j++) mu[j] /= count;
  const sigma = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    const w = weights[r];
    if (w === 0) continue;
    for (let j = 0; j < dim; j++) row[j] = features[r * dim + j] - mu[j];
    for (let i = 0; i < dim; i++) {
      const ri = w * row[i];
      if (ri === 0) continue;
      const off = i * dim;
      for (let j = i; j < dim; j++) sigma[off + j] += ri * row[j];
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = sigma[i * dim + j] / (count - 1);
      sigma[i * dim + j] = v;
      sigma[j * dim + i] = v;
    }
  }
  return { mu, sigma, dim };
}

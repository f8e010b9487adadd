/**
 * The least-squares line y ≈ intercept + slope * x through paired samples, with the sums the
 * callers need for goodness of fit. Null when the x values do not vary (no line is defined).
 */
export interface LeastSquaresLine {
  slope: number;
  intercept: number;
  /** sum of (y - mean y)^2 (total sum of squares, for R²) */
  syy: number;
}

export function leastSquaresLine(xs: readonly number[], ys: readonly number[]): LeastSquaresLine | null {
  const n = xs.length;
  if (n !== ys.length) throw new Error(`leastSquaresLine: ${n} x values, ${ys.length} y values`);
  if (n === 0) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
    syy += (ys[i] - my) ** 2;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, syy };
}

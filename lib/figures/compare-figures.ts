/**
 * Numeric comparison of figure data, for CI figure regression: two figures agree when their
 * structure and strings are equal and every number agrees within a tolerance chosen by the
 * field's path (FIDs and losses are measured quantities; latencies drift; counts are exact).
 * Differences come back as plain sentences naming the figure, the path and both values.
 */
import type { FigureData } from './figure-data';

export interface Tolerance { abs: number; rel: number }
/** A tolerance per field path; 'ignore' skips the field and everything under it. */
export type ToleranceRule = { match: RegExp; tol: Tolerance | 'ignore' };

/** Default per-field tolerances: exact unless a rule matches the path. */
export const DEFAULT_TOLERANCES: ToleranceRule[] = [
  { match: /\.y\[\d+\]$/, tol: { abs: 1e-9, rel: 1e-6 } },
  // the predictor scatter's x is each record's measured FID: like plotted FIDs on y, it repeats only
  // to about 1e-7 between two runs (measured: 16.789329 vs 16.789331 on the tiny experiment)
  { match: /^predictor-scatter-[a-z-]+\.data\[\d+\]\.x\[\d+\]$/, tol: { abs: 1e-9, rel: 1e-6 } },
  { match: /\.x\[\d+\]$/, tol: { abs: 1e-9, rel: 1e-9 } },
];

/**
 * The cost-model check plots each collected record's measured time (clock readings): those values,
 * the fit through them and the caption quoting it cannot repeat between two runs, even when every
 * FID and schedule does. Its predicted times (x) stay checked.
 */
export const MEASURED_RECORD_TIME_RULES: ToleranceRule[] = [{ match: /^cost-model-[a-z-]+\.(caption|data\[0\]\.y|data\[1\])$/, tol: 'ignore' }];

/**
 * For goldens of a fresh run (the smoke profile in CI): fields that are measured times, or follow
 * from them, cannot repeat and are skipped. Latencies set the front's budgets, so a front's picks,
 * its schedule strips and its sample grids move with them; the zoo table's training time and
 * latency columns are clock readings, and so are the cost-model check's measured times. What stays checked is deterministic: loss curves, FID vs
 * NFE, the switch curves, the predictor scatter, parameter counts, and every figure's presence,
 * title and sources.
 */
export const FRESH_RUN_TOLERANCES: ToleranceRule[] = [
  { match: /^(fid-vs-cost|front-table|schedule-strips|sample-comparison|cost-model)-[a-z-]+\.(data|layout|caption|sources)$/, tol: 'ignore' },
  { match: /^zoo-table\.data\[0\]\.cells\.values\[[34]\]$/, tol: 'ignore' },
  ...DEFAULT_TOLERANCES,
];

function tolFor(path: string, rules: ToleranceRule[]): Tolerance | 'ignore' {
  for (const r of rules) if (r.match.test(path)) return r.tol;
  return { abs: 1e-12, rel: 1e-12 };
}

export function compareValues(a: unknown, b: unknown, path: string, out: string[], rules: ToleranceRule[] = DEFAULT_TOLERANCES, limit = 20): void {
  if (out.length >= limit) return;
  const rule = tolFor(path, rules);
  if (rule === 'ignore') return;
  if (typeof a === 'number' && typeof b === 'number') {
    const t = rule;
    if (!(Number.isNaN(a) && Number.isNaN(b)) && Math.abs(a - b) > t.abs + t.rel * Math.max(Math.abs(a), Math.abs(b))) {
      out.push(`${path}: committed ${b}, regenerated ${a} (difference ${(a - b).toPrecision(3)}, tolerance ${t.abs} + ${t.rel} relative)`);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      out.push(`${path}: committed ${b.length} entries, regenerated ${a.length}`);
      return;
    }
    a.forEach((x, i) => compareValues(x, b[i], `${path}[${i}]`, out, rules, limit));
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const ka = (a as Record<string, unknown>)[k];
      const kb = (b as Record<string, unknown>)[k];
      if (ka === undefined) out.push(`${path}.${k}: in the committed figure, missing from the regenerated one`);
      else if (kb === undefined) out.push(`${path}.${k}: new in the regenerated figure`);
      else compareValues(ka, kb, `${path}.${k}`, out, rules, limit);
    }
    return;
  }
  if (a !== b) out.push(`${path}: committed ${JSON.stringify(b)}, regenerated ${JSON.stringify(a)}`);
}

/** Sentences describing how `regenerated` differs from `committed` (empty when they agree). */
export function diffFigures(regenerated: FigureData, committed: FigureData, rules: ToleranceRule[] = DEFAULT_TOLERANCES): string[] {
  const out: string[] = [];
  compareValues(regenerated, committed, regenerated.id, out, rules);
  return out;
}

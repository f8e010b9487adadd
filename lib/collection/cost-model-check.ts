/**
 * How well the additive cost model (method doc §3: cost = sum of the per-batch latencies of the
 * models a schedule runs) predicts a schedule's measured time, checked on the schedule-FID dataset:
 * every record is a real, timed run of one schedule on `images` noise-bank images.
 *
 * A record's time is sampling plus a per-record constant (FID features of the same number of
 * images, noise-bank generation), so the check fits
 *
 *     seconds_i ≈ overhead + slope · predicted_i,   predicted_i = costMs_i · ceil(images_i / B) / 1000
 *
 * by least squares (B = sampling batch size). `slope` = 1 means the latency table prices a forward
 * pass exactly as it costs inside a sampling run; R² and the relative errors of the fit say how
 * much of the time the additive model explains. The search only needs the model to order schedules
 * and to keep them inside a budget, so the closeness of the fit is what matters, not slope = 1.
 */
import { KitError } from '../util/errors';
import { leastSquaresLine } from '../util/least-squares';
import type { ScheduleRecord } from './dataset-file';

export interface CostModelPoint { id: number; predictedSeconds: number; measuredSeconds: number; nfe: number }

export interface CostModelCheck {
  engine: string;
  batchSize: number;
  /** records used (same engine, priced) */
  count: number;
  /** records left out: not priced (costMs null) or sampled on another engine */
  skipped: number;
  /** measured seconds not explained by sampling (FID features, noise bank), per record */
  overheadSeconds: number;
  /** measured sampling seconds per predicted second */
  slope: number;
  r2: number;
  /** |fit - measured| / measured over the records */
  relativeError: { median: number; p90: number; max: number };
  points: CostModelPoint[];
}

function quantile(sorted: readonly number[], q: number): number {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

interface Selection { counts: Map<string, number>; chosen: string | undefined; used: ScheduleRecord[] }

/** Records per engine, the engine the check uses (`engine`, or the one most records were sampled on) and its usable records. */
function select(records: readonly ScheduleRecord[], engine?: string): Selection {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.engine, (counts.get(r.engine) ?? 0) + 1);
  const chosen = engine ?? [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  const used = records.filter((r) => r.engine === chosen && r.costMs !== null && Number.isFinite(r.costMs) && r.seconds > 0);
  return { counts, chosen, used };
}

function shortfallOf({ counts, chosen, used }: Selection, total: number, engine?: string): KitError | null {
  const why = `the cost-model check needs at least 3 priced records with different costs sampled on ${chosen ?? 'one engine'}`;
  if (used.length < 3) {
    const engines = [...counts.entries()].map(([e, n]) => `${e} (${n})`).join(', ') || 'none';
    return new KitError(`${why}; the dataset has ${used.length} (of ${total}; records per engine: ${engines})`, {
      hint: engine !== undefined && !counts.has(engine)
        ? `no record was sampled on ${engine}: pass one of the engines above to --engine, or leave it out`
        : 'collect more records (oms-dpm collect), after oms-dpm profile-latency so that records are priced',
    });
  }
  if (used.every((r) => r.costMs === used[0].costMs)) return new KitError(`${why}; all ${used.length} records have the same cost`);
  return null;
}

/**
 * Why the check cannot run on `records` (too few priced records on the engine, or all of one
 * cost), as an error to throw or a reason to show; null when it can.
 */
export function costModelShortfall(records: readonly ScheduleRecord[], engine?: string): KitError | null {
  return shortfallOf(select(records, engine), records.length, engine);
}

/**
 * The check on `records` sampled on `engine` (default: the engine most records were sampled on).
 * Needs at least 3 priced records whose costs are not all equal (costModelShortfall).
 */
export function checkCostModel(records: readonly ScheduleRecord[], batchSize: number, engine?: string): CostModelCheck {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new KitError(`sampling batch size must be a positive integer, got ${batchSize}`);
  const selection = select(records, engine);
  const shortfall = shortfallOf(selection, records.length, engine);
  if (shortfall) throw shortfall;
  const { chosen, used } = selection;
  const points = used.map((r) => ({
    id: r.id,
    predictedSeconds: ((r.costMs as number) * Math.ceil(r.images / batchSize)) / 1000,
    measuredSeconds: r.seconds,
    nfe: r.nfe,
  }));
  const n = points.length;
  // Not null: costModelShortfall rules out equal costs (and so equal predicted times).
  const { slope, intercept: overheadSeconds, syy } = leastSquaresLine(points.map((p) => p.predictedSeconds), points.map((p) => p.measuredSeconds))!;
  let sse = 0;
  const rel: number[] = [];
  for (const p of points) {
    const fit = overheadSeconds + slope * p.predictedSeconds;
    sse += (p.measuredSeconds - fit) ** 2;
    rel.push(Math.abs(fit - p.measuredSeconds) / p.measuredSeconds);
  }
  rel.sort((a, b) => a - b);
  return {
    engine: chosen as string,
    batchSize,
    count: n,
    skipped: records.length - n,
    overheadSeconds,
    slope,
    r2: syy === 0 ? 1 : 1 - sse / syy,
    relativeError: { median: quantile(rel, 0.5), p90: quantile(rel, 0.9), max: rel[n - 1] },
    points,
  };
}

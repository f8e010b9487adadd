/**
 * Per-split summary of a schedule-FID dataset (count; FID mean, std, min, max; NFE mean, min, max)
 * as a danfojs DataFrame, for the CLI and notebooks. danfojs is loaded lazily: it takes seconds to
 * import and only summaries need it.
 */
import type { ScheduleRecord } from './dataset-file';

export interface SplitSummary {
  split: string;
  count: number;
  fidMean: number;
  fidStd: number;
  fidMin: number;
  fidMax: number;
  nfeMean: number;
  nfeMin: number;
  nfeMax: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type DataFrame = any;

export function recordsFrame(records: readonly ScheduleRecord[]): DataFrame {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const dfd = require('danfojs-node');
  return new dfd.DataFrame({
    id: records.map((r) => r.id),
    split: records.map((r) => r.split),
    fid: records.map((r) => r.fid),
    nfe: records.map((r) => r.nfe),
    costMs: records.map((r) => r.costMs ?? NaN),
  });
}

export function summariseSplits(records: readonly ScheduleRecord[]): { frame: DataFrame; rows: SplitSummary[] } {
  if (records.length === 0) return { frame: null, rows: [] };
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const dfd = require('danfojs-node');
  const g = recordsFrame(records).groupby(['split']).agg({ fid: ['count', 'mean', 'std', 'min', 'max'], nfe: ['mean', 'min', 'max'] });
  const json = dfd.toJSON(g) as Record<string, number | string>[];
  const rows = json.map((r) => ({
    split: String(r.split),
    count: Number(r.fid_count),
    fidMean: Number(r.fid_mean),
    fidStd: Number(r.fid_count) > 1 ? Number(r.fid_std) : NaN,
    fidMin: Number(r.fid_min),
    fidMax: Number(r.fid_max),
    nfeMean: Number(r.nfe_mean),
    nfeMin: Number(r.nfe_min),
    nfeMax: Number(r.nfe_max),
  }));
  return { frame: g, rows };
}

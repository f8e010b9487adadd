/**
 * Time cost of a schedule (method doc §3):
 *
 *   cost(schedule) = sum over non-null entries m of latency[m]
 *
 * where latency[m] is the measured time of one forward pass of model m on one batch (the null
 * model costs 0). Budgets of the search are in the same unit (ms per batch).
 *
 * Latencies come from a profile file written by `oms-dpm profile-latency`:
 *   {"models": {"<zoo id>": {"medianMs": 12.3, ...}, ...}, ...}
 * and are turned into an array indexed by model index (entry 0 = the null model, 0 ms).
 */
import * as fs from 'node:fs';
import { KitError } from '../util/errors';
import { ModelSchedule, NULL_MODEL, scheduleEntries } from './types';

/**
 * Sum of `latencyMsByModelIndex[m]` over the non-zero entries m. Index 0 (null) is never read;
 * a model index without a finite latency is a KitError.
 */
export function scheduleCost(schedule: ModelSchedule | readonly number[], latencyMsByModelIndex: readonly number[]): number {
  const entries = scheduleEntries(schedule);
  let total = 0;
  entries.forEach((m, i) => {
    if (m === NULL_MODEL) return;
    const ms = latencyMsByModelIndex[m];
    if (typeof ms !== 'number' || !Number.isFinite(ms)) {
      const known = latencyMsByModelIndex.length - 1;
      throw new KitError(`schedule position ${i}: no latency for model ${m}`, {
        hint: known >= 1 ? `latencies are known for models 1..${known}` : 'no model latencies were given',
      });
    }
    total += ms;
  });
  return total;
}

/** Per-model share of the cost: how many NFEs each model runs and their total time. */
export interface CostItem {
  model: number;
  nfe: number;
  latencyMs: number;
  totalMs: number;
}

/** The cost split by model, models in increasing index order (only models the schedule uses). */
export function costBreakdown(schedule: ModelSchedule | readonly number[], latencyMsByModelIndex: readonly number[]): CostItem[] {
  const entries = scheduleEntries(schedule);
  scheduleCost(entries, latencyMsByModelIndex); // every used model has a latency
  const counts = new Map<number, number>();
  for (const m of entries) if (m !== NULL_MODEL) counts.set(m, (counts.get(m) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([m, nfe]) => ({ model: m, nfe, latencyMs: latencyMsByModelIndex[m], totalMs: nfe * latencyMsByModelIndex[m] }));
}

/** The part of a latency profile this layer reads. */
export interface LatencyProfile {
  models: Record<string, { medianMs: number }>;
}

/**
 * Reads a latency profile. A missing file is a KitError that says to run
 * `oms-dpm profile-latency --experiment <experiment>` first.
 */
export function readLatencyFile(file: string, experiment: string): LatencyProfile {
  if (!fs.existsSync(file)) {
    throw new KitError(`latency file not found: ${file}`, {
      hint: `run \`oms-dpm profile-latency --experiment ${experiment}\` first, or pass --latency <file.json>`,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new KitError(`latency file ${file} is not valid JSON: ${(e as Error).message}`, {
      hint: `regenerate it with \`oms-dpm profile-latency --experiment ${experiment}\``,
      cause: e,
    });
  }
  const models = (raw as { models?: unknown } | null)?.models;
  if (typeof models !== 'object' || models === null || Array.isArray(models)) {
    throw new KitError(`latency file ${file} has no "models" object`, {
      hint: 'expected {"models": {"<zoo id>": {"medianMs": <ms per batch>}, ...}}',
    });
  }
  for (const [id, entry] of Object.entries(models as Record<string, unknown>)) {
    const ms = (entry as { medianMs?: unknown } | null)?.medianMs;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new KitError(`latency file ${file}: models.${id}.medianMs must be a non-negative number of ms, got ${JSON.stringify(ms)}`, {
        hint: `regenerate it with \`oms-dpm profile-latency --experiment ${experiment}\``,
      });
    }
  }
  return raw as LatencyProfile;
}

/**
 * Latencies indexed by model index for a zoo given by its ids in order (model i + 1 = zoo[i]);
 * entry 0 is the null model (0 ms). Every zoo member must be in the profile.
 */
export function latencyByModelIndex(zooIds: readonly string[], profile: LatencyProfile, source = 'the latency profile'): number[] {
  const missing = zooIds.filter((id) => !(id in profile.models));
  if (missing.length > 0) {
    throw new KitError(`${source} has no latency for zoo model${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}`, {
      hint: `it has: ${Object.keys(profile.models).join(', ') || '(none)'}; profile the whole zoo again`,
    });
  }
  return [0, ...zooIds.map((id) => profile.models[id].medianMs)];
}

/**
 * Content hashes of configs. Every output carries the hash of the resolved config it came from,
 * and the stage cache is keyed by hashes of the parts a stage depends on, so the hash must depend
 * only on values: not on key order in the YAML file, not on whitespace or comments.
 */
import { createHash } from 'node:crypto';
import { KitError } from '../util/errors';
import type { ExperimentConfig } from './experiment-schema';

/**
 * JSON with object keys sorted at every level and no whitespace: equal values give equal text.
 * Non-JSON values (NaN, Infinity, functions, bigint, undefined in lists) are rejected rather than
 * silently turned into null, since two different configs must never share a hash.
 */
export function canonicalJson(value: unknown): string {
  const walk = (v: unknown, where: string): string => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'number':
        if (!Number.isFinite(v)) throw new KitError(`canonicalJson: ${where} is ${v}, which JSON cannot represent`);
        return JSON.stringify(v);
      case 'string':
      case 'boolean':
        return JSON.stringify(v);
      case 'object': {
        if (Array.isArray(v)) return `[${v.map((x, i) => walk(x, `${where}[${i}]`)).join(',')}]`;
        const rec = v as Record<string, unknown>;
        const keys = Object.keys(rec)
          .filter((k) => rec[k] !== undefined)
          .sort();
        return `{${keys.map((k) => `${JSON.stringify(k)}:${walk(rec[k], `${where}.${k}`)}`).join(',')}}`;
      }
      default:
        throw new KitError(`canonicalJson: ${where} is a ${typeof v}, which is not a JSON value`);
    }
  };
  return walk(value, '(root)');
}

/** sha256 of the canonical JSON, first 16 hex digits: a short key for any JSON-like value. */
export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

/** Keys that document an experiment but do not change what it computes. */
export const UNHASHED_KEYS = ['description', 'profiles', 'deviations'] as const;

/**
 * Nested keys that say where the work runs, not what it computes: `collection.queue` (the Redis
 * queue the scoring jobs go to). The submitter and its workers must agree on the hash whichever
 * queue they were pointed at, and records scored through a queue equal the local pool's.
 */
export const UNHASHED_NESTED_KEYS = [['collection', 'queue']] as const;

/** The hash of a resolved experiment config, ignoring `description`, `profiles`, `deviations` and `collection.queue`. */
export function configHash(config: ExperimentConfig): string {
  const rest: Record<string, unknown> = { ...config };
  for (const k of UNHASHED_KEYS) delete rest[k];
  for (const [section, key] of UNHASHED_NESTED_KEYS) {
    const inner = rest[section];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      const copy: Record<string, unknown> = { ...(inner as Record<string, unknown>) };
      delete copy[key];
      rest[section] = copy;
    }
  }
  return hashOf(rest);
}

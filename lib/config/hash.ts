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

/**
 * Nested keys added after results were committed, whose default computes exactly what the kit
 * computed before they existed: left out of the hash while they hold that default (and their
 * section with them when nothing else is in it), so the hashes of those results, and everything
 * keyed by them, stay valid. `storage.weights: float32` writes weight files as every earlier
 * version did; float16 changes the weights every later stage uses, so it is hashed.
 */
export const HASHED_UNLESS_DEFAULT = [{ section: 'storage', key: 'weights', default: 'float32' }] as const;

/**
 * What the key of a stage that writes weight files adds for storage.weights: nothing at float32
 * (as for the config hash above, so keys made before the setting existed stay valid), else the
 * precision, which changes the stored weights.
 */
export function storedWeightsKey(config: ExperimentConfig): { storage?: ExperimentConfig['storage']['weights'] } {
  return config.storage.weights === 'float32' ? {} : { storage: config.storage.weights };
}

/** `section` of `rest` without `key`, or without the section when nothing else is left in it. */
function dropNested(rest: Record<string, unknown>, section: string, key: string): void {
  const inner = rest[section];
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) return;
  const copy: Record<string, unknown> = { ...(inner as Record<string, unknown>) };
  delete copy[key];
  rest[section] = copy;
  if (HASHED_UNLESS_DEFAULT.some((d) => d.section === section) && Object.keys(copy).length === 0) delete rest[section];
}

/**
 * The hash of a resolved experiment config, ignoring `description`, `profiles`, `deviations`,
 * `collection.queue`, and `storage.weights` while it is float32.
 */
export function configHash(config: ExperimentConfig): string {
  const rest: Record<string, unknown> = { ...config };
  for (const k of UNHASHED_KEYS) delete rest[k];
  for (const [section, key] of UNHASHED_NESTED_KEYS) dropNested(rest, section, key);
  for (const d of HASHED_UNLESS_DEFAULT) {
    const inner = rest[d.section] as Record<string, unknown> | undefined;
    if (inner?.[d.key] === d.default) dropNested(rest, d.section, d.key);
  }
  return hashOf(rest);
}

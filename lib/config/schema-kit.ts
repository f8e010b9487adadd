/**
 * A tiny schema DSL for the kit's YAML configs.
 *
 * Why not a library: the configs need four things at once - TS types inferred from the schema
 * (`Infer<typeof S>`, so the schema is the single source of truth), defaults filled in so the rest
 * of the kit never sees a missing key, error messages that name the key's full dotted path
 * (`zoo[2].unet.chMult[1]`) together with what is allowed, and a one-line doc per key so the
 * `config` command can print every key with its type and default. That fits in one small file.
 *
 * Semantics, in short:
 * - A field with a `default` may be omitted; omitted means "the default". A field without one is
 *   required. An object whose fields all have defaults may itself be omitted.
 * - An explicit `null` is only accepted by `nullable(...)`; it never means "use the default".
 * - Unknown keys are errors (a typo must not silently become "the default").
 * - `validate` returns a fresh, fully-defaulted value; it never mutates its input.
 */
import { KitError } from '../util/errors';
import { didYouMean } from './suggest';

// ---------------------------------------------------------------------------------------------
// Paths and errors

/** One step into a config value: an object key or a list index. */
export type PathSegment = string | number;
export type Path = readonly PathSegment[];

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * `['zoo', 2, 'unet', 'chMult', 1]` -> `zoo[2].unet.chMult[1]`. Keys that are not plain words
 * (profile entries such as `training.iterations`) are quoted so the path stays unambiguous.
 */
export function formatPath(path: Path, prefix = ''): string {
  let out = prefix;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * A config value that does not fit its schema. `path` locates it (relative to the value that was
 * validated) so a loader can point at the line of the YAML file it came from.
 */
export class ConfigError extends KitError {
  readonly path: Path;
  readonly problem: string;

  /**
   * `prefix` is printed before the path (a section validated on its own); `location` before
   * everything (a file and line: `experiments/mnist.yaml:12:9`).
   */
  constructor(path: Path, problem: string, options: { hint?: string; prefix?: string; location?: string } = {}) {
    const where = options.location ? `${options.location}: ` : '';
    super(`${where}${formatPath(path, options.prefix)}: ${problem}`, { hint: options.hint });
    this.name = 'ConfigError';
    this.path = path;
    this.problem = problem;
  }
}

/** A short rendering of a bad value for an error message: `-0.5 (number)`, `"abc" (string)`. */
export function showValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `${truncate(safeJson(value))} (a list)`;
  if (typeof value === 'object') return `${truncate(safeJson(value))} (an object)`;
  return `${truncate(safeJson(value))} (${typeof value})`;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function truncate(s: string, n = 60): string {
  return s.length <= n ? s : `${s.slice(0, n - 3)}...`;
}

// ---------------------------------------------------------------------------------------------
// Schema nodes

/** What every schema node carries. `__type` is a phantom: never set, only read by `Infer`. */
interface Common<T> {
  /** One line: what the key means and why it matters. Printed by `describeSchema`. */
  readonly doc: string;
  /** Present when the key may be omitted; wrapped so that `null` can be a default. */
  readonly default?: { readonly value: T };
  readonly __type?: T;
}

/** The structural part of a node, loosely typed so that generic walkers can narrow on `kind`. */
type Node =
  | { readonly kind: 'num'; readonly integer: boolean; readonly min?: number; readonly max?: number; readonly gt?: number; readonly lt?: number }
  | { readonly kind: 'str'; readonly oneOf?: readonly string[]; readonly pattern?: RegExp }
  | { readonly kind: 'bool' }
  | { readonly kind: 'nullable'; readonly inner: AnySchema }
  | { readonly kind: 'list'; readonly item: AnySchema; readonly minLength?: number; readonly maxLength?: number }
  | { readonly kind: 'obj'; readonly fields: Fields }
  | { readonly kind: 'partial'; readonly fields: Fields }
  | { readonly kind: 'record'; readonly value: AnySchema; readonly keyPattern?: RegExp }
  | { readonly kind: 'unknown' };

/** A schema whose values have TS type `T`. */
export type Schema<T> = Common<T> & Node;
export type AnySchema = Schema<unknown>;
export type Fields = { readonly [key: string]: AnySchema };

/** The TS type of the values a schema accepts (after defaults are filled in). */
export type Infer<S> = S extends Common<infer T> ? T : never;

type InferFields<F extends Fields> = { [K in keyof F]: Infer<F[K]> };
type InferPartial<F extends Fields> = { [K in keyof F]?: Infer<F[K]> };

export type ObjSchema<F extends Fields> = Common<InferFields<F>> & { readonly kind: 'obj'; readonly fields: F };
export type PartialSchema<F extends Fields> = Common<InferPartial<F>> & { readonly kind: 'partial'; readonly fields: F };

function withDefault<T>(doc: string, hasDefault: boolean, value: T | undefined): Common<T> {
  return hasDefault ? { doc, default: { value: value as T } } : { doc };
}

export interface NumOptions {
  default?: number;
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Exclusive bounds ("greater than", "less than"), e.g. a fraction in (0, 1). */
  gt?: number;
  lt?: number;
  integer?: boolean;
  doc: string;
}

/** A finite number; `integer: true` also requires a safe integer. */
export function num(opts: NumOptions): Schema<number> {
  const node: Schema<number> = {
    ...withDefault(opts.doc, opts.default !== undefined, opts.default),
    kind: 'num',
    integer: opts.integer ?? false,
    min: opts.min,
    max: opts.max,
    gt: opts.gt,
    lt: opts.lt,
  };
  if (opts.default !== undefined) checkDefault(node, opts.default);
  return node;
}

/** `num` with `integer: true`. */
export function int(opts: Omit<NumOptions, 'integer'>): Schema<number> {
  return num({ ...opts, integer: true });
}

/** A string; optionally one of a fixed set (typed as the literal union) or matching a pattern. */
export function str<const O extends readonly string[]>(opts: { default?: O[number]; oneOf: O; doc: string }): Schema<O[number]>;
export function str(opts: { default?: string; pattern?: RegExp; doc: string }): Schema<string>;
export function str(opts: { default?: string; oneOf?: readonly string[]; pattern?: RegExp; doc: string }): Schema<string> {
  const node: Schema<string> = {
    ...withDefault(opts.doc, opts.default !== undefined, opts.default),
    kind: 'str',
    oneOf: opts.oneOf,
    pattern: opts.pattern,
  };
  if (opts.default !== undefined) checkDefault(node, opts.default);
  return node;
}

export function bool(opts: { default?: boolean; doc: string }): Schema<boolean> {
  return { ...withDefault(opts.doc, opts.default !== undefined, opts.default), kind: 'bool' };
}

/**
 * `inner` or `null`. The default is the inner schema's default when it has one, else `null`:
 * "nothing configured" is what null means here (no data folder, no clipping).
 */
export function nullable<T>(inner: Schema<T>, opts: { doc?: string } = {}): Schema<T | null> {
  const def: T | null = inner.default !== undefined ? inner.default.value : null;
  return { doc: opts.doc ?? inner.doc, default: { value: def }, kind: 'nullable', inner: inner as AnySchema };
}

export function list<T>(
  item: Schema<T>,
  opts: { minLength?: number; maxLength?: number; default?: T[]; doc: string },
): Schema<T[]> {
  const node: Schema<T[]> = {
    ...withDefault(opts.doc, opts.default !== undefined, opts.default),
    kind: 'list',
    item: item as AnySchema,
    minLength: opts.minLength,
    maxLength: opts.maxLength,
  };
  if (opts.default !== undefined) checkDefault(node, opts.default);
  return node;
}

/**
 * A fixed set of keys. If every field has a default the object has one too (all defaults), so a
 * whole section may be left out of a YAML file.
 */
export function obj<F extends Fields>(fields: F, opts: { doc?: string } = {}): ObjSchema<F> {
  const names = Object.keys(fields);
  for (const k of names) {
    if (!fields[k].doc) throw new Error(`schema-kit: field '${k}' has no doc`);
  }
  const allDefaulted = names.every((k) => fields[k].default !== undefined);
  const def = allDefaulted
    ? Object.fromEntries(names.map((k) => [k, (fields[k].default as { value: unknown }).value]))
    : undefined;
  return {
    ...withDefault(opts.doc ?? '', allDefaulted, def as InferFields<F> | undefined),
    kind: 'obj',
    fields,
  };
}

/**
 * Any subset of an object's keys, each checked against its field schema but never defaulted: used
 * for override sections (a zoo member's `training: {iterations: 3000}`) that are merged later.
 */
export function partial<F extends Fields>(base: ObjSchema<F>, opts: { doc: string }): PartialSchema<F> {
  return { doc: opts.doc, default: { value: {} as InferPartial<F> }, kind: 'partial', fields: base.fields };
}

/** A map with free keys (optionally matching `keyPattern`) and values of one schema. */
export function record<T>(
  value: Schema<T>,
  opts: { keyPattern?: RegExp; default?: { [key: string]: T }; doc: string },
): Schema<{ [key: string]: T }> {
  return {
    ...withDefault(opts.doc, opts.default !== undefined, opts.default),
    kind: 'record',
    value: value as AnySchema,
    keyPattern: opts.keyPattern,
  };
}

/** Any YAML value, checked elsewhere (e.g. profile values, checked once applied). */
export function unknownValue(opts: { doc: string }): Schema<unknown> {
  return { doc: opts.doc, kind: 'unknown' };
}

function checkDefault(node: AnySchema, value: unknown): void {
  // A default that its own schema rejects is a bug in the kit, not in a user's file.
  try {
    check(node, value, [], '');
  } catch (e) {
    throw new Error(`schema-kit: invalid default ${showValue(value)}: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

/**
 * Checks `value` against `schema` and returns a fresh, fully-defaulted copy typed `Infer<S>`.
 * Throws a `ConfigError` (a `KitError`) naming the offending key's full path; `path` is a prefix
 * printed before it (e.g. the name of the section being validated on its own).
 */
export function validate<S extends AnySchema>(schema: S, value: unknown, path: string | Path = []): Infer<S> {
  const prefix = typeof path === 'string' ? path : '';
  const segs = typeof path === 'string' ? [] : path;
  return check(schema, value, segs, prefix) as Infer<S>;
}

/** A human description of the values a schema allows: `int >= 1`, `'linear'`, `list of int`. */
export function typeName(schema: AnySchema): string {
  switch (schema.kind) {
    case 'num': {
      const base = schema.integer ? 'int' : 'number';
      const parts: string[] = [];
      const lo = schema.gt !== undefined ? `> ${schema.gt}` : schema.min !== undefined ? `>= ${schema.min}` : undefined;
      const hi = schema.lt !== undefined ? `< ${schema.lt}` : schema.max !== undefined ? `<= ${schema.max}` : undefined;
      if (lo !== undefined && hi !== undefined) {
        const l = schema.gt !== undefined ? '(' : '[';
        const r = schema.lt !== undefined ? ')' : ']';
        return `${base} in ${l}${schema.gt ?? schema.min}, ${schema.lt ?? schema.max}${r}`;
      }
      if (lo !== undefined) parts.push(lo);
      if (hi !== undefined) parts.push(hi);
      return parts.length ? `${base} ${parts.join(' ')}` : base;
    }
    case 'str':
      if (schema.oneOf) return schema.oneOf.map((o) => `'${o}'`).join(' | ');
      return schema.pattern ? `string matching ${schema.pattern.source}` : 'string';
    case 'bool':
      return 'boolean';
    case 'nullable':
      return `${typeName(schema.inner)} | null`;
    case 'list': {
      const len: string[] = [];
      if (schema.minLength !== undefined) len.push(`length >= ${schema.minLength}`);
      if (schema.maxLength !== undefined) len.push(`length <= ${schema.maxLength}`);
      const item = schema.item.kind === 'obj' ? 'objects' : typeName(schema.item);
      return `list of ${item}${len.length ? ` (${len.join(', ')})` : ''}`;
    }
    case 'obj':
      return 'object';
    case 'partial':
      return 'partial object (any subset of its keys)';
    case 'record':
      return `map of ${schema.keyPattern ? `${schema.keyPattern.source} ` : ''}name -> ${typeName(schema.value)}`;
    case 'unknown':
      return 'any';
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function cloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function mismatch(schema: AnySchema, value: unknown, path: Path, prefix: string): ConfigError {
  let hint: string | undefined;
  if (typeof value === 'string' && (schema.kind === 'num' || schema.kind === 'bool') && value.trim() !== '') {
    hint = 'numbers and booleans must not be quoted in YAML';
  }
  if (value === null && schema.kind !== 'nullable') hint = 'this key cannot be null; delete the line to use the default';
  return new ConfigError(path, `expected ${typeName(schema)}, got ${showValue(value)}`, { prefix, hint });
}

function check(schema: AnySchema, value: unknown, path: Path, prefix: string): unknown {
  switch (schema.kind) {
    case 'num': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw mismatch(schema, value, path, prefix);
      if (schema.integer && !Number.isSafeInteger(value)) throw mismatch(schema, value, path, prefix);
      const bad =
        (schema.min !== undefined && value < schema.min) ||
        (schema.max !== undefined && value > schema.max) ||
        (schema.gt !== undefined && value <= schema.gt) ||
        (schema.lt !== undefined && value >= schema.lt);
      if (bad) throw new ConfigError(path, `must be ${typeName(schema)}, got ${value}`, { prefix });
      return value;
    }
    case 'str': {
      if (typeof value !== 'string') throw mismatch(schema, value, path, prefix);
      if (schema.oneOf && !schema.oneOf.includes(value)) {
        throw new ConfigError(
          path,
          `'${value}' is not allowed${didYouMean(value, schema.oneOf)}; allowed: ${typeName(schema)}`,
          { prefix },
        );
      }
      if (schema.pattern && !wholeMatch(schema.pattern, value)) {
        throw new ConfigError(path, `'${value}' must match ${schema.pattern.source}`, { prefix });
      }
      return value;
    }
    case 'bool':
      if (typeof value !== 'boolean') throw mismatch(schema, value, path, prefix);
      return value;
    case 'nullable':
      if (value === null) return null;
      try {
        return check(schema.inner, value, path, prefix);
      } catch (e) {
        // Say that null would also have been fine, but keep the inner, more precise message.
        if (e instanceof ConfigError && e.path.length === path.length) {
          throw new ConfigError(path, `${e.problem} (or null)`, { prefix, hint: e.hint });
        }
        throw e;
      }
    case 'list': {
      if (!Array.isArray(value)) throw mismatch(schema, value, path, prefix);
      if (schema.minLength !== undefined && value.length < schema.minLength) {
        throw new ConfigError(path, `needs at least ${schema.minLength} item(s), got ${value.length}`, { prefix });
      }
      if (schema.maxLength !== undefined && value.length > schema.maxLength) {
        throw new ConfigError(path, `allows at most ${schema.maxLength} item(s), got ${value.length}`, { prefix });
      }
      return value.map((item, i) => check(schema.item, item, [...path, i], prefix));
    }
    case 'obj':
    case 'partial': {
      if (!isPlainObject(value)) {
        throw new ConfigError(
          path,
          `expected an object with keys ${Object.keys(schema.fields).join(', ')}; got ${showValue(value)}`,
          { prefix },
        );
      }
      rejectUnknownKeys(schema.fields, value, path, prefix);
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(schema.fields)) {
        const v = value[key];
        if (v === undefined) {
          if (schema.kind === 'partial') continue;
          if (field.default === undefined) {
            throw new ConfigError([...path, key], `required key is missing (expected ${typeName(field)})`, {
              prefix,
              hint: field.doc,
            });
          }
          out[key] = cloneJson(field.default.value);
        } else {
          out[key] = check(field, v, [...path, key], prefix);
        }
      }
      return out;
    }
    case 'record': {
      if (!isPlainObject(value)) throw mismatch(schema, value, path, prefix);
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        if (schema.keyPattern && !wholeMatch(schema.keyPattern, key)) {
          throw new ConfigError([...path, key], `name '${key}' must match ${schema.keyPattern.source}`, { prefix });
        }
        out[key] = check(schema.value, v, [...path, key], prefix);
      }
      return out;
    }
    case 'unknown':
      return cloneJson(value);
  }
}

function wholeMatch(re: RegExp, s: string): boolean {
  const m = new RegExp(`^(?:${re.source})$`, re.flags.replace('g', '')).exec(s);
  return m !== null;
}

function rejectUnknownKeys(fields: Fields, value: Record<string, unknown>, path: Path, prefix: string): void {
  const allowed = Object.keys(fields);
  for (const key of Object.keys(value)) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) {
      const where = path.length === 0 && prefix === '' ? 'at the top level' : `in ${formatPath(path, prefix)}`;
      throw new ConfigError([...path, key], `unknown key${didYouMean(key, allowed)}; allowed keys ${where}: ${allowed.join(', ')}`, {
        prefix,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Description (for the `config` command)

/** One printable line of a schema: a key, its allowed values, its default and its doc. */
export interface SchemaEntry {
  /** Dotted path; list items appear as `[]`, e.g. `zoo[].unet.ch`. */
  path: string;
  type: string;
  /** The default as YAML-ish text, or undefined when the key is required. */
  default: string | undefined;
  doc: string;
}

/** Every key of a schema, depth first, in declaration order. Sections get a line of their own. */
export function schemaEntries(schema: AnySchema, path = ''): SchemaEntry[] {
  const out: SchemaEntry[] = [];
  const walk = (s: AnySchema, p: string): void => {
    if (s.kind === 'obj') {
      if (p !== '') out.push({ path: p, type: 'section', default: undefined, doc: s.doc });
      for (const [k, f] of Object.entries(s.fields)) walk(f, p === '' ? k : `${p}.${k}`);
      return;
    }
    out.push({
      path: p,
      type: typeName(s),
      default: s.default === undefined ? undefined : JSON.stringify(s.default.value),
      doc: s.doc,
    });
    if (s.kind === 'list' && s.item.kind === 'obj') {
      for (const [k, f] of Object.entries(s.item.fields)) walk(f, `${p}[].${k}`);
    }
  };
  walk(schema, path);
  return out;
}

/** `schemaEntries` as an aligned text table: `path  type  default  doc`. */
export function describeSchema(schema: AnySchema): string {
  const rows = schemaEntries(schema).map((e) => [
    e.path,
    e.type,
    e.type === 'section' ? '' : e.default === undefined ? '(required)' : `= ${e.default}`,
    e.doc,
  ]);
  const width = [0, 1, 2].map((i) => Math.min(48, Math.max(...rows.map((r) => r[i].length))));
  return rows
    .map((r) => [0, 1, 2].map((i) => r[i].padEnd(width[i])).join('  ') + (r[3] ? `  ${r[3]}` : ''))
    .map((line) => line.trimEnd())
    .join('\n');
}

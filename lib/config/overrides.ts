/**
 * Dotted-path overrides: `--set training.iterations=500`, `--set zoo[s8].unet.chMult=[1,2]`, and
 * the entries of a profile (`smoke: { training.iterations: 20 }`) are one mechanism, so a profile
 * is nothing more than a named, versioned list of `--set`s.
 *
 * Paths are checked against the schema, not only against the value, so that a key that is absent
 * from the file (because its default applies) can still be set, while a misspelt key is an error
 * with a suggestion instead of a silently ignored setting.
 *
 * Grammar: `key ( .key | [index] | [id] | ["quoted key"] )*`. A list element is addressed by its
 * position (`zoo[0]`) or, for lists of objects with an `id`, by that id (`zoo[s8]`).
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { KitError } from '../util/errors';
import { AnySchema, Path, PathSegment, formatPath, typeName } from './schema-kit';
import { didYouMean } from './suggest';

/** One override: where, what, and where it came from (for error messages and provenance). */
export interface Override {
  path: string;
  value: unknown;
  /** `--set` or `profile 'smoke'`. */
  source: string;
}

interface Token {
  text: string;
  /** Written in brackets: an index, an id or a quoted key. */
  bracket: boolean;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*/;

/** Splits a path into tokens; throws on syntax such as `a..b`, `a[`, `[0]` at the start. */
export function tokenizePath(path: string): Token[] {
  const bad = (why: string): KitError =>
    new KitError(`bad config path '${path}': ${why}`, { hint: 'write e.g. training.iterations, zoo[0].unet.ch or zoo[s8].training.iterations' });
  const tokens: Token[] = [];
  let i = 0;
  const s = path.trim();
  if (s === '') throw bad('empty path');
  while (i < s.length) {
    if (s[i] === '[') {
      if (tokens.length === 0) throw bad('a path starts with a key');
      const close = s[i + 1] === '"' ? s.indexOf('"]', i + 2) : s.indexOf(']', i + 1);
      if (close < 0) throw bad(`unclosed '[' at position ${i}`);
      let text: string;
      if (s[i + 1] === '"') {
        text = JSON.parse(s.slice(i + 1, close + 1)) as string;
        i = close + 2;
      } else {
        text = s.slice(i + 1, close).trim();
        i = close + 1;
      }
      if (text === '') throw bad('empty []');
      tokens.push({ text, bracket: true });
    } else {
      if (tokens.length > 0) {
        if (s[i] !== '.') throw bad(`expected '.' or '[' at position ${i}`);
        i++;
      }
      const m = KEY.exec(s.slice(i));
      if (!m) throw bad(`expected a key at position ${i}`);
      tokens.push({ text: m[0], bracket: false });
      i += m[0].length;
    }
  }
  return tokens;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where a path leads: the concrete key/index segments and the schema of the target. */
export interface ResolvedPath {
  segments: PathSegment[];
  schema: AnySchema;
}

/**
 * Follows `path` through `schema` and the current `value` (needed to turn `zoo[s8]` into an
 * index). Throws a KitError naming the first bad step, with the allowed keys and a suggestion.
 */
export function resolvePath(schema: AnySchema, value: unknown, path: string): ResolvedPath {
  const tokens = tokenizePath(path);
  const segments: PathSegment[] = [];
  let s = schema;
  let v: unknown = value;
  for (const tok of tokens) {
    while (s.kind === 'nullable') s = s.inner;
    const here = segments.length === 0 ? 'the top level' : formatPath(segments);
    const fail = (problem: string, hint?: string): KitError =>
      new KitError(`unknown config path '${path}': ${problem}`, { hint });
    switch (s.kind) {
      case 'obj':
      case 'partial': {
        const keys = Object.keys(s.fields);
        if (!Object.prototype.hasOwnProperty.call(s.fields, tok.text)) {
          throw fail(
            `no key '${tok.text}' in ${here}${didYouMean(tok.text, keys)}`,
            `keys of ${here}: ${keys.join(', ')}`,
          );
        }
        segments.push(tok.text);
        s = s.fields[tok.text];
        v = isObject(v) ? v[tok.text] : undefined;
        break;
      }
      case 'list': {
        if (!tok.bracket) {
          throw fail(`${here} is a list; address an element as ${here}[0]` + (s.item.kind === 'obj' && 'id' in s.item.fields ? ` or ${here}[<id>]` : ''));
        }
        const items = Array.isArray(v) ? v : [];
        let index: number;
        if (/^\d+$/.test(tok.text)) {
          index = Number(tok.text);
          if (index >= items.length) throw fail(`${here} has ${items.length} element(s), so [${index}] does not exist`);
        } else {
          const ids = items.map((it) => (isObject(it) ? it['id'] : undefined)).filter((id): id is string => typeof id === 'string');
          if (ids.length === 0) throw fail(`elements of ${here} have no ids; use an index such as ${here}[0]`);
          index = items.findIndex((it) => isObject(it) && it['id'] === tok.text);
          if (index < 0) throw fail(`no element with id '${tok.text}' in ${here}${didYouMean(tok.text, ids)}`, `ids: ${ids.join(', ')}`);
        }
        segments.push(index);
        s = s.item;
        v = items[index];
        break;
      }
      case 'record':
        segments.push(tok.text);
        s = s.value;
        v = isObject(v) ? v[tok.text] : undefined;
        break;
      case 'unknown':
        segments.push(tok.text);
        v = isObject(v) ? v[tok.text] : undefined;
        break;
      default:
        throw fail(`${here} is a single value (${typeName(s)}) and has no key '${tok.text}'`);
    }
  }
  return { segments, schema: s };
}

/**
 * Returns a copy of `root` with `value` stored at `path`. Missing objects on the way are created
 * (a section left out of the file is still settable); list elements must exist. The value is not
 * validated here: the caller validates the whole config afterwards, so cross-field rules apply too.
 */
export function setPath(schema: AnySchema, root: unknown, path: string, value: unknown): unknown {
  const { segments } = resolvePath(schema, root, path);
  const out = clone(isObject(root) ? root : {});
  let cur: Record<string, unknown> | unknown[] = out as Record<string, unknown>;
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i];
    const next = (cur as Record<PathSegment, unknown>)[seg];
    if (typeof next !== 'object' || next === null) {
      const created: Record<string, unknown> = {};
      (cur as Record<PathSegment, unknown>)[seg] = created;
      cur = created;
    } else {
      cur = next as Record<string, unknown> | unknown[];
    }
  }
  (cur as Record<PathSegment, unknown>)[segments[segments.length - 1]] = clone(value);
  return out;
}

/** Applies overrides in order; a failing path names the override's source. */
export function applyOverrides(schema: AnySchema, root: unknown, overrides: readonly Override[]): unknown {
  let out = root;
  for (const o of overrides) {
    try {
      out = setPath(schema, out, o.path, o.value);
    } catch (e) {
      if (e instanceof KitError) throw new KitError(`${o.source}: ${e.message}`, { hint: e.hint });
      throw e;
    }
  }
  return out;
}

/**
 * Parses `key=value` from the command line. The value is YAML (scalar or flow), so `500` is a
 * number, `[1,2]` a list, `null` null, `"500"` a string, and an empty value is null.
 */
export function parseAssignment(text: string, source = '--set'): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new KitError(`${source} '${text}': expected key=value`, { hint: 'e.g. --set training.iterations=500' });
  }
  const path = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1);
  tokenizePath(path);
  let value: unknown;
  try {
    value = parseYaml(raw);
  } catch (e) {
    throw new KitError(`${source} '${text}': the value is not valid YAML: ${(e as Error).message.split('\n')[0]}`, {
      hint: 'quote strings with special characters, e.g. --set description="a: b"',
    });
  }
  return { path, value: value === undefined ? null : value, source };
}

/** `key=value` with the value as one-line YAML, such that `parseAssignment` reads it back. */
export function formatAssignment(path: string, value: unknown): string {
  const text = stringifyYaml(value, { collectionStyle: 'flow', flowCollectionPadding: false, lineWidth: 0 }).trim();
  return `${path}=${text}`;
}

/** The overrides of a profile map (`{ "training.iterations": 20, ... }`), in file order. */
export function profileOverrides(name: string, entries: Readonly<Record<string, unknown>>): Override[] {
  return Object.entries(entries).map(([path, value]) => ({ path, value, source: `profile '${name}'` }));
}

/** The concrete segments of an override, or undefined if its path no longer resolves. */
export function overrideSegments(schema: AnySchema, root: unknown, path: string): Path | undefined {
  try {
    return resolvePath(schema, root, path).segments;
  } catch {
    return undefined;
  }
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

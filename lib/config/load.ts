/**
 * Loading an experiment: YAML file -> validated config -> profile -> `--set` overrides ->
 * validated again -> hashed. This is the only place a config is resolved, so every stage of a run
 * sees the same object and every output can record exactly how it was obtained (`profile`,
 * `overrides`, `hash`).
 *
 * Errors point at the file and line when the bad value came from the file, and name the override
 * when it came from a profile or `--set`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, stringify as stringifyYaml } from 'yaml';
import { KitError } from '../util/errors';
import { DEFAULT_PROFILE, ExperimentConfig, ExperimentSchema, validateExperiment } from './experiment-schema';
import { configHash } from './hash';
import { Override, applyOverrides, formatAssignment, overrideSegments, parseAssignment, profileOverrides } from './overrides';
import { ConfigError, Path } from './schema-kit';
import { didYouMean } from './suggest';

export { canonicalJson, configHash, hashOf } from './hash';

/** A config ready to run, with how it was obtained. */
export interface ResolvedExperiment {
  config: ExperimentConfig;
  /** `default` when no profile was applied. */
  profile: string;
  /** Every override applied, in order, as `key=value`: the profile's entries, then `--set`s. */
  overrides: string[];
  /** The `--set` overrides alone (the tail of `overrides`), so another process can load the same config. */
  sets: string[];
  /** `configHash(config)`: 16 hex digits. */
  hash: string;
  /** Absolute path of the YAML file. */
  sourceFile: string;
}

export interface LoadOptions {
  /** `default` (no overrides), or a profile defined in the file such as `smoke` or `paper`. */
  profile?: string;
  /** `key=value` assignments applied after the profile, e.g. `training.iterations=500`. */
  set?: readonly string[];
}

let cachedRoot: string | undefined;

/** The kit's root: the nearest folder above this file that holds package.json. */
export function repoRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return (cachedRoot = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new KitError(`cannot find package.json above ${__dirname}`);
    dir = up;
  }
}

/** `<repoRoot>/experiments`. */
export function experimentsDir(): string {
  return path.join(repoRoot(), 'experiments');
}

/** Names of the experiment files in `dir` (default `experiments/`), sorted. */
export function listExperiments(dir: string = experimentsDir()): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * A name (`mnist`) means `experiments/mnist.yaml`; anything with a slash or a .yaml/.yml ending is
 * a path (relative to the working directory).
 */
export function experimentFile(nameOrPath: string): string {
  const isPath = /[\\/]/.test(nameOrPath) || /\.ya?ml$/.test(nameOrPath);
  if (isPath) {
    const file = path.resolve(nameOrPath);
    if (!fs.existsSync(file)) throw new KitError(`experiment file not found: ${file}`);
    return file;
  }
  const file = path.join(experimentsDir(), `${nameOrPath}.yaml`);
  if (!fs.existsSync(file)) {
    const names = listExperiments();
    throw new KitError(`unknown experiment '${nameOrPath}'${didYouMean(nameOrPath, names)}`, {
      hint: names.length ? `experiments: ${names.join(', ')}` : `no .yaml files in ${experimentsDir()}`,
    });
  }
  return file;
}

/** Loads, validates, applies the profile and the `--set` overrides, validates again and hashes. */
export function loadExperiment(nameOrPath: string, options: LoadOptions = {}): ResolvedExperiment {
  const sourceFile = experimentFile(nameOrPath);
  const shown = displayPath(sourceFile);
  const expectedName = path.basename(sourceFile).replace(/\.ya?ml$/, '');
  const { raw, locate } = readYaml(sourceFile, shown);

  let base: ExperimentConfig;
  try {
    base = validateExperiment(raw, { expectedName });
  } catch (e) {
    if (e instanceof ConfigError) {
      throw new ConfigError(e.path, e.problem, { hint: e.hint, location: locate(e.path) ?? shown });
    }
    throw e;
  }

  // Every profile must give a valid config, not only the one asked for: a profile that rots
  // unnoticed (a renamed key, a removed zoo member) would otherwise surface only when it is used.
  const byProfile = new Map<string, { config: ExperimentConfig; overrides: Override[] }>();
  byProfile.set(DEFAULT_PROFILE, { config: base, overrides: [] });
  for (const [name, entries] of Object.entries(base.profiles)) {
    const overrides = profileOverrides(name, entries);
    byProfile.set(name, { config: resolveWith(base, overrides, { expectedName, shown }), overrides });
  }

  const profile = options.profile ?? DEFAULT_PROFILE;
  const chosen = byProfile.get(profile);
  if (chosen === undefined) {
    const names = [...byProfile.keys()];
    throw new KitError(`unknown profile '${profile}' for experiment '${base.name}'${didYouMean(profile, names)}`, {
      hint: `profiles of ${shown}: ${names.join(', ')}`,
    });
  }

  const sets = (options.set ?? []).map((s) => parseAssignment(s));
  const config = sets.length ? resolveWith(chosen.config, sets, { expectedName, shown }) : chosen.config;
  const setTexts = sets.map((o) => formatAssignment(o.path, o.value));
  const overrides = [...chosen.overrides.map((o) => formatAssignment(o.path, o.value)), ...setTexts];
  return { config, profile, overrides, sets: setTexts, hash: configHash(config), sourceFile };
}

/** How another process (a worker, a child) loads exactly this resolved experiment; `hash` checks it did. */
export interface ExperimentSource { experiment: string; profile: string; set: string[]; hash: string }

export function experimentSource(exp: ResolvedExperiment): ExperimentSource {
  return { experiment: exp.sourceFile, profile: exp.profile, set: [...exp.sets], hash: exp.hash };
}

/**
 * The experiment of `source`, in the process it was sent to (`who` names that process in the
 * error). A config that hashes differently (the file was edited since the parent loaded it) is an
 * error: the two processes would disagree.
 */
export function loadExperimentSource(source: ExperimentSource, who: string): ResolvedExperiment {
  const exp = loadExperiment(source.experiment, { profile: source.profile, set: source.set });
  if (exp.hash !== source.hash) {
    throw new KitError(`${who} loaded config ${exp.hash} from ${source.experiment}, the parent has ${source.hash} (was the file edited during the run?)`);
  }
  return exp;
}

/**
 * The resolved config as YAML, loadable again with the same hash (the YAML files are the
 * interchange format; a run directory stores its resolved config this way).
 */
export function experimentToYaml(config: ExperimentConfig): string {
  return stringifyYaml(config, { lineWidth: 0 });
}

function resolveWith(
  base: ExperimentConfig,
  overrides: readonly Override[],
  ctx: { expectedName: string; shown: string },
): ExperimentConfig {
  const applied = applyOverrides(ExperimentSchema, base, overrides);
  try {
    return validateExperiment(applied, { expectedName: ctx.expectedName, checkProfiles: false });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const errPath = e.path;
    // Name the override that put the bad value there (the last one touching that path).
    const culprit = [...overrides].reverse().find((o) => {
      const segs = overrideSegments(ExperimentSchema, base, o.path);
      return segs !== undefined && (isPrefix(segs, errPath) || isPrefix(errPath, segs));
    });
    const via = culprit
      ? `${culprit.source} ${formatAssignment(culprit.path, culprit.value)}`
      : `overrides ${[...new Set(overrides.map((o) => o.source))].join(', ')}`;
    throw new ConfigError(e.path, e.problem, { hint: e.hint, location: `${ctx.shown} with ${via}` });
  }
}

function isPrefix(a: Path, b: Path): boolean {
  return a.length <= b.length && a.every((s, i) => s === b[i]);
}

/** Paths inside the kit are shown relative to its root, others as given. */
function displayPath(file: string): string {
  const rel = path.relative(repoRoot(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/**
 * Parses a YAML file; syntax errors (and duplicate keys) become KitErrors with file:line:col.
 * Returns the plain value and a function mapping a config path to the line it is written on.
 */
function readYaml(file: string, shown: string): { raw: unknown; locate: (p: Path) => string | undefined } {
  const text = fs.readFileSync(file, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
    const [first, ...context] = err.message.split('\n');
    const what = first.replace(/ at line \d+, column \d+:?$/, '');
    const excerpt = context.join('\n').trim();
    throw new KitError(`${shown}:${pos.line}:${pos.col}: invalid YAML: ${what}${excerpt ? `\n${excerpt}` : ''}`, {
      hint: 'check indentation, quoting and brackets near that line',
    });
  }

  const locate = (p: Path): string | undefined => {
    // Walk down as far as the file goes; an error about a missing key points at its parent.
    let node: unknown = doc.contents;
    let found: { range?: [number, number, number] | null } | undefined =
      (doc.contents as { range?: [number, number, number] | null } | null) ?? undefined;
    for (const seg of p) {
      if (isMap(node)) {
        const pair = node.items.find((it) => isScalar(it.key) && it.key.value === seg);
        if (!pair) break;
        found = (pair.value ?? pair.key) as typeof found;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        node = node.items[seg];
        found = node as typeof found;
      } else {
        break;
      }
    }
    const start = found?.range?.[0];
    if (start === undefined) return undefined;
    const pos = lineCounter.linePos(start);
    return `${shown}:${pos.line}:${pos.col}`;
  };

  return { raw: doc.toJS({ maxAliasCount: 100 }), locate };
}

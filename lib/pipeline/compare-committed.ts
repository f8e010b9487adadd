/**
 * After a run: the new figure data of an experiment against the committed versions (git HEAD, or
 * the committed results folder a reproduction ran beside), as a verdict per figure with a plain
 * sentence, so a reproduction says whether it reproduced. A figure whose only differences are
 * measured times and what follows from them (FRESH_RUN_TOLERANCES: latencies set the budgets,
 * training times the zoo table) is reported as reproduced, with those differences named apart.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { figuresCommandFor } from '../zoo/workspace';
import { repoRoot } from '../config/index';
import { diffFigures, FRESH_RUN_TOLERANCES } from '../figures/compare-figures';
import type { FigureData } from '../figures/figure-data';
import { readJsonFile } from '../util/json-file';

/**
 * same: equal within the default tolerances; reproduced: only timing-dependent fields differ;
 * differs: a field that does not depend on timing differs; new: nothing committed to compare with.
 */
export type FigureVerdictKind = 'same' | 'reproduced' | 'differs' | 'new';

export interface FigureVerdict { id: string; verdict: FigureVerdictKind; sentence: string }

/** How `fresh` compares with its committed version (`rel` names that file; null: none). */
export function figureVerdict(fresh: FigureData, committed: FigureData | null, rel: string): FigureVerdict {
  const v = (verdict: FigureVerdictKind, text: string): FigureVerdict => ({ id: fresh.id, verdict, sentence: `${fresh.id}: ${text}` });
  if (committed === null) return v('new', `new (no committed version of ${rel})`);
  const some = (d: string[]) => `${d.slice(0, 3).join('; ')}${d.length > 3 ? '; ...' : ''}`;
  const all = diffFigures(fresh, committed);
  if (all.length === 0) return v('same', 'same as committed (within tolerances)');
  const deterministic = diffFigures(fresh, committed, FRESH_RUN_TOLERANCES);
  if (deterministic.length === 0) return v('reproduced', `reproduced; only measured times and what follows from them differ (${all.length} field(s): ${some(all)})`);
  return v('differs', `differs from committed in ${deterministic.length} place(s) that do not depend on timing: ${some(deterministic)}`);
}

/** One plain sentence: how `fresh` compares with its committed version (`rel` names that file; null: none). */
export function describeAgainstCommitted(fresh: FigureData, committed: FigureData | null, rel: string): string {
  return figureVerdict(fresh, committed, rel).sentence;
}

/** The committed version of the figure data file `file` in git HEAD (null: not committed). */
function committedInGit(file: string): FigureData | null {
  const root = repoRoot();
  const rel = path.relative(root, file).split(path.sep).join('/');
  try {
    return JSON.parse(execFileSync('git', ['show', `HEAD:${rel}`], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString()) as FigureData;
  } catch {
    return null;
  }
}

/**
 * A verdict per figure data file of `experimentDir`, against `committedDir`'s figures (a
 * reproduction beside the committed results) or, without it, against git HEAD (a run in place).
 */
export function figureVerdicts(experimentDir: string, committedDir?: string): FigureVerdict[] {
  const figDir = path.join(experimentDir, 'figures');
  if (!fs.existsSync(figDir)) return [];
  return fs.readdirSync(figDir).filter((x) => x.endsWith('.json')).sort().map((f) => {
    const file = path.join(figDir, f);
    const fresh = readJsonFile<FigureData>(file, 'figure data', `rebuild it: ${figuresCommandFor(path.basename(experimentDir))}`);
    if (committedDir === undefined) return figureVerdict(fresh, committedInGit(file), path.relative(repoRoot(), file).split(path.sep).join('/'));
    const committedFile = path.join(committedDir, 'figures', f);
    const committed = fs.existsSync(committedFile) ? readJsonFile<FigureData>(committedFile, 'committed figure data') : null;
    return figureVerdict(fresh, committed, committedFile);
  });
}

/** Sentences: each figure of `experimentDir` against git HEAD (in-place runs). */
export function compareWithCommitted(experimentDir: string): string[] {
  const verdicts = figureVerdicts(experimentDir);
  return verdicts.length === 0 ? ['no figure data was written'] : verdicts.map((v) => v.sentence);
}

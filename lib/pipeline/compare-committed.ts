/**
 * After a run: the new figure data of an experiment against the versions committed in git (HEAD),
 * as plain sentences, so a reproduction says whether it reproduced. A figure whose only differences
 * are measured times and what follows from them (FRESH_RUN_TOLERANCES: latencies set the budgets,
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

/** One plain sentence: how `fresh` compares with its committed version (`rel` names that file; null: none). */
export function describeAgainstCommitted(fresh: FigureData, committed: FigureData | null, rel: string): string {
  if (committed === null) return `${fresh.id}: new (no committed version of ${rel})`;
  const some = (d: string[]) => `${d.slice(0, 3).join('; ')}${d.length > 3 ? '; ...' : ''}`;
  const all = diffFigures(fresh, committed);
  if (all.length === 0) return `${fresh.id}: same as committed (within tolerances)`;
  const deterministic = diffFigures(fresh, committed, FRESH_RUN_TOLERANCES);
  if (deterministic.length === 0) return `${fresh.id}: reproduced; only measured times and what follows from them differ (${all.length} field(s): ${some(all)})`;
  return `${fresh.id}: differs from committed in ${deterministic.length} place(s) that do not depend on timing: ${some(deterministic)}`;
}

export function compareWithCommitted(experimentDir: string): string[] {
  const figDir = path.join(experimentDir, 'figures');
  if (!fs.existsSync(figDir)) return ['no figure data was written'];
  const root = repoRoot();
  const lines: string[] = [];
  for (const f of fs.readdirSync(figDir).filter((x) => x.endsWith('.json')).sort()) {
    const rel = path.relative(root, path.join(figDir, f)).split(path.sep).join('/');
    const fresh = readJsonFile<FigureData>(path.join(figDir, f), 'figure data', `rebuild it: ${figuresCommandFor(path.basename(experimentDir))}`);
    let committed: FigureData | null = null;
    try {
      committed = JSON.parse(execFileSync('git', ['show', `HEAD:${rel}`], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString()) as FigureData;
    } catch {
      committed = null;
    }
    lines.push(describeAgainstCommitted(fresh, committed, rel));
  }
  return lines;
}

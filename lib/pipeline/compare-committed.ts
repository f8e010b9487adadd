/**
 * After a run: the new figure data of an experiment against the versions committed in git (HEAD),
 * as plain sentences, so a reproduction says whether it reproduced.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../config/index';
import { diffFigures } from '../figures/compare-figures';
import type { FigureData } from '../figures/figure-data';
import { readJsonFile } from '../util/json-file';

export function compareWithCommitted(experimentDir: string): string[] {
  const figDir = path.join(experimentDir, 'figures');
  if (!fs.existsSync(figDir)) return ['no figure data was written'];
  const root = repoRoot();
  const lines: string[] = [];
  for (const f of fs.readdirSync(figDir).filter((x) => x.endsWith('.json')).sort()) {
    const rel = path.relative(root, path.join(figDir, f)).split(path.sep).join('/');
    const fresh = readJsonFile<FigureData>(path.join(figDir, f), 'figure data', 'rebuild it: oms-dpm figures --experiment <name>');
    let committed: FigureData;
    try {
      committed = JSON.parse(execFileSync('git', ['show', `HEAD:${rel}`], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString()) as FigureData;
    } catch {
      lines.push(`${fresh.id}: new (no committed version of ${rel})`);
      continue;
    }
    const d = diffFigures(fresh, committed);
    lines.push(d.length === 0 ? `${fresh.id}: same as committed (within tolerances)` : `${fresh.id}: differs from committed in ${d.length} place(s): ${d.slice(0, 3).join('; ')}${d.length > 3 ? '; ...' : ''}`);
  }
  return lines;
}

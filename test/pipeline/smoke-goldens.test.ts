/**
 * CI figure regression (b): the mnist smoke profile runs end to end in a fresh workspace (zoo
 * training, FID reference, observation, collection, predictors, fronts, figures) and its figure
 * data must match the committed smoke goldens in results/mnist@smoke/figures/. Fields that follow
 * from measured times are skipped (FRESH_RUN_TOLERANCES); the rest is deterministic and compared
 * with the usual tolerances. To accept a change on purpose:
 *   npm run reproduce -- --profile smoke --in-place && npm run refresh-goldens -- --experiment mnist --profile smoke --why "..."
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diffFigures, FRESH_RUN_TOLERANCES } from '../../lib/figures/compare-figures';
import type { FigureData } from '../../lib/figures/figure-data';
import { tempDir } from '../helpers/temp-dir';

const root = path.join(__dirname, '..', '..');
const goldens = path.join(root, 'results', 'mnist@smoke', 'figures');
const REFRESH = 'npm run reproduce -- --profile smoke --in-place && npm run refresh-goldens -- --experiment mnist --profile smoke --why "..."';

function figureData(dir: string): Map<string, FigureData> {
  return new Map(fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => [f, JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as FigureData]));
}

test('the mnist smoke profile reproduces its committed figure goldens', { timeout: 1_200_000 }, () => {
  assert.ok(fs.existsSync(goldens), `no smoke goldens in ${goldens}; make them with: ${REFRESH}`);
  const dir = tempDir('omsdpm-smoke-');
  const env = { ...process.env, OMS_DPM_RESULTS: path.join(dir, 'results'), OMS_DPM_RUNS: path.join(dir, 'runs') };
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'oms-dpm.js'), 'reproduce', '--experiment', 'mnist', '--profile', 'smoke', '--in-place'], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const fresh = figureData(path.join(dir, 'results', 'mnist@smoke', 'figures'));
  const committed = figureData(goldens);
  assert.deepEqual([...fresh.keys()], [...committed.keys()], 'the smoke run makes the same set of figures as the goldens');
  const problems = [...committed].flatMap(([f, golden]) => diffFigures(fresh.get(f)!, golden, FRESH_RUN_TOLERANCES));
  assert.deepEqual(problems, [], `smoke figure data differs from the goldens; if intended: ${REFRESH}`);
});

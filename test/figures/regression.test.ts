/**
 * CI figure regression (a): every figure whose data is committed under results/<experiment>/figures/
 * is regenerated from the committed results and must agree with the committed figure data within
 * the per-field tolerances of lib/figures/compare-figures.ts. To accept a change on purpose:
 * `npm run refresh-goldens -- --experiment NAME --why "..."`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listExperiments, loadExperiment } from '../../lib/config/index';
import { buildFigures } from '../../lib/figures/build-figures';
import { DEFAULT_TOLERANCES, MEASURED_RECORD_TIME_RULES, diffFigures, FRESH_RUN_TOLERANCES } from '../../lib/figures/compare-figures';
import { describeAgainstCommitted } from '../../lib/pipeline/compare-committed';
import type { FigureData } from '../../lib/figures/figure-data';

const results = path.join(__dirname, '..', '..', 'results');

for (const dir of fs.existsSync(results) ? fs.readdirSync(results).sort() : []) {
  const figDir = path.join(results, dir, 'figures');
  if (!fs.existsSync(figDir)) continue;
  // results/<experiment>@<profile>/ keep only figure data (their inputs are not committed): they
  // are goldens of a fresh run of that profile, not of committed results.
  if (dir.includes('@')) continue;
  const name = dir;
  if (!listExperiments().includes(name)) continue;
  test(`committed figure data of ${dir} regenerates from its committed results`, () => {
    const regenerated = new Map(buildFigures(loadExperiment(name)).figures.map((f) => [f.id, f]));
    const problems: string[] = [];
    for (const f of fs.readdirSync(figDir).filter((x) => x.endsWith('.json')).sort()) {
      const committed = JSON.parse(fs.readFileSync(path.join(figDir, f), 'utf8')) as FigureData;
      const fresh = regenerated.get(committed.id);
      if (!fresh) problems.push(`${committed.id}: committed, but its inputs no longer produce it`);
      else problems.push(...diffFigures(fresh, committed));
    }
    assert.deepEqual(problems, [], `figure data differs from the committed goldens:\n  ${problems.join('\n  ')}\n(if intended: npm run refresh-goldens -- --experiment ${name} --why "...")`);
  });
}

test('the comparison reports numeric drift beyond tolerance, and structural changes, in plain words', () => {
  const a: FigureData = { id: 'f', title: 't', caption: 'c', data: [{ x: [1, 2], y: [10, 20] }], layout: {}, sources: [] };
  assert.deepEqual(diffFigures(a, JSON.parse(JSON.stringify(a))), []);
  const b = JSON.parse(JSON.stringify(a)) as FigureData;
  (b.data[0].y as number[])[1] = 20 + 1e-9;
  assert.deepEqual(diffFigures(a, b), [], 'within tolerance');
  (b.data[0].y as number[])[1] = 21;
  (b.data[0].x as number[]).push(3);
  const d = diffFigures(a, b);
  assert.equal(d.length, 2);
  assert.match(d.join('\n'), /f\.data\[0\]\.x: committed 3 entries, regenerated 2/);
  assert.match(d.join('\n'), /f\.data\[0\]\.y\[1\]: committed 21, regenerated 20/);
});

test('fresh-run goldens skip what follows from measured times and still check the rest', () => {
  const front: FigureData = { id: 'fid-vs-cost-ddim', title: 't', caption: 'up to 2.1x', data: [{ x: [10], y: [50] }], layout: { height: 400 }, sources: ['m/front-ddim.json'] };
  const moved = { ...front, caption: 'up to 1.9x', data: [{ x: [12, 30], y: [48, 40] }] };
  assert.equal(diffFigures(moved, front).length, 3); // caption, x and y
  assert.deepEqual(diffFigures(moved, front, FRESH_RUN_TOLERANCES), []);
  assert.match(diffFigures({ ...moved, title: 'other' }, front, FRESH_RUN_TOLERANCES).join(), /fid-vs-cost-ddim\.title/);
  const table = (train: string, params: string): FigureData => ({ id: 'zoo-table', title: 't', caption: 'c', data: [{ cells: { values: [['s8'], [params], ['30'], [train], ['5.0']] } }], layout: {}, sources: [] });
  assert.deepEqual(diffFigures(table('1.5', '67,673'), table('2.0', '67,673'), FRESH_RUN_TOLERANCES), []);
  assert.match(diffFigures(table('1.5', '67,673'), table('1.5', '67,000'), FRESH_RUN_TOLERANCES).join(), /values\[1\]\[0\]: committed "67,000"/);
  const curve: FigureData = { id: 'loss-curves', title: 't', caption: 'c', data: [{ x: [1], y: [0.5] }], layout: {}, sources: [] };
  assert.equal(diffFigures({ ...curve, data: [{ x: [1], y: [0.6] }] }, curve, FRESH_RUN_TOLERANCES).length, 1);
});

test('after a run, each figure gets one sentence: same, reproduced up to measured times, differs, or new', () => {
  const front: FigureData = { id: 'fid-vs-cost-ddim', title: 't', caption: 'c', data: [{ x: [10], y: [50] }], layout: {}, sources: [] };
  assert.match(describeAgainstCommitted(front, JSON.parse(JSON.stringify(front)), 'r/f.json'), /^fid-vs-cost-ddim: same as committed/);
  assert.match(describeAgainstCommitted({ ...front, data: [{ x: [12], y: [50] }] }, front, 'r/f.json'), /^fid-vs-cost-ddim: reproduced; only measured times and what follows from them differ \(1 field\(s\): fid-vs-cost-ddim\.data\[0\]\.x\[0\]/);
  assert.match(describeAgainstCommitted({ ...front, title: 'other' }, front, 'r/f.json'), /^fid-vs-cost-ddim: differs from committed in 1 place\(s\) that do not depend on timing: fid-vs-cost-ddim\.title/);
  assert.equal(describeAgainstCommitted(front, null, 'r/f.json'), 'fid-vs-cost-ddim: new (no committed version of r/f.json)');
});

test('measured record times in the cost-model figure are skipped by their rule; predicted times stay checked', () => {
  const fig: FigureData = { id: 'cost-model-ddim', title: 't', caption: 'R² 0.9', data: [{ x: [1, 2], y: [1.1, 2.2] }, { name: 'fit (R² 0.9)', x: [1, 2], y: [1, 2] }], layout: {}, sources: [] };
  const rerun: FigureData = { ...fig, caption: 'R² 0.8', data: [{ x: [1, 2], y: [1.3, 2.0] }, { name: 'fit (R² 0.8)', x: [1, 2], y: [1.2, 2.1] }] };
  const rules = [...MEASURED_RECORD_TIME_RULES, ...DEFAULT_TOLERANCES];
  assert.deepEqual(diffFigures(rerun, fig, rules), []);
  assert.equal(diffFigures(rerun, fig).length, 6); // caption, 2 measured times, the fit's name and 2 ends
  const moved: FigureData = { ...rerun, data: [{ x: [1, 3], y: [1.3, 2.0] }, rerun.data[1]] };
  assert.match(diffFigures(moved, fig, rules).join(), /cost-model-ddim\.data\[0\]\.x\[1\]/);
});

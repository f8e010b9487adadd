/**
 * The notebooks (the sources are the .ipynb files themselves, committed with their outputs):
 *
 * - statically, each notebook calls its stage's library entry points (01 trains the zoo, 03 observes,
 *   04 collects and trains the predictor, 05 searches and samples, 06 writes the figures), and the
 *   committed notebooks carry outputs (04 and 05 figures among them) and no error;
 * - CI runs every notebook (tslab kernel, Debian's nbconvert) on the tiny test experiment, after a
 *   `reproduce` of it in a temporary workspace: they compile under tslab's TypeScript 5.0 and run end
 *   to end, 04 finds the dataset complete (no worker started), trains a predictor that is missing
 *   and reuses a current one (also on a second execution), and 05's search picks a schedule within
 *   its budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../helpers/temp-dir';

const root = path.join(__dirname, '..', '..');
const tiny = path.join(root, 'test', 'fixtures', 'tiny-mnist.yaml');
const notebooks = path.join(root, 'notebooks');

interface Cell { cell_type: string; source: string[]; outputs?: { output_type: string; name?: string; text?: string[]; data?: Record<string, unknown>; ename?: string }[] }
const cellsOf = (file: string): Cell[] => (JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: Cell[] }).cells;
const codeOf = (file: string) => cellsOf(file).filter((c) => c.cell_type === 'code').map((c) => c.source.join('')).join('\n');
/** Every stream line and markdown a notebook's cells printed, in order. */
const printed = (file: string) =>
  cellsOf(file)
    .flatMap((c) => c.outputs ?? [])
    .map((o) => (o.output_type === 'stream' ? (o.text ?? []).join('') : String((o.data?.['text/markdown'] as string[] | string | undefined) ?? '')))
    .join('\n');

/** notebook -> library calls it must make (its stage, through lib/) */
const ENTRY_POINTS: Record<string, RegExp[]> = {
  '01-zoo.ipynb': [/\btrainZoo\(exp, \{ resume: true/],
  '02-schedules.ipynb': [/\bevaluations\(/, /\brandomSchedules\(/],
  '03-observation.ipynb': [/\bobserveExperiment\(/],
  '04-dataset-and-predictor.ipynb': [/\bcollectByStrategy\(exp, solver, /, /\bensureExperimentPredictor\(/, /\btrainExperimentPredictorInChild\(/],
  '05-search-and-front.ipynb': [/const BUDGET\b/, /\brunSearch\(exp, SOLVER, BUDGET/, /\brerankOnSelection\(/, /\bbestSingleModelAt\(/, /\bscheduleStripFigure\(/, /\bplanSampling\(/, /\bsampleWithPlan\(/],
  '06-figures.ipynb': [/\bbuildFigures\(/, /\bwriteFigures\(/],
};

test('each notebook calls its stage through lib/, and the committed notebooks carry their outputs', () => {
  const names = fs.readdirSync(notebooks).filter((f) => f.endsWith('.ipynb')).sort();
  assert.deepEqual(names, Object.keys(ENTRY_POINTS).sort());
  for (const name of names) {
    const file = path.join(notebooks, name);
    const code = codeOf(file);
    for (const re of ENTRY_POINTS[name]) assert.match(code, re, `${name} does not call ${re}`);
    const outputs = cellsOf(file).flatMap((c) => c.outputs ?? []);
    assert.ok(outputs.length > 0, `${name} is committed without outputs: node scripts/run-notebooks.js --in-place`);
    assert.deepEqual(outputs.filter((o) => o.output_type === 'error' || (o.name === 'stderr' && /Error\b/.test((o.text ?? []).join('')))), [], `${name} was committed with an error`);
    if (/^0[1345]/.test(name)) assert.ok(outputs.some((o) => o.data?.['image/png']), `${name} shows no figure`);
  }
});

test('every notebook executes on the tiny experiment; 04 reuses finished work, 05 searches within its budget', { timeout: 1_200_000 }, () => {
  const dir = tempDir('omsdpm-nb-');
  const env = { ...process.env, OMS_DPM_RESULTS: path.join(dir, 'results'), OMS_DPM_RUNS: path.join(dir, 'runs') };
  const rep = spawnSync(process.execPath, [path.join(root, 'bin', 'oms-dpm.js'), 'reproduce', '--experiment', tiny, '--in-place'], { env, encoding: 'utf8' });
  assert.equal(rep.status, 0, rep.stderr);
  // a missing predictor: notebook 04 trains it (and keeps the other, which is current)
  fs.rmSync(path.join(dir, 'results', 'tiny-mnist', 'predictor-ddim'), { recursive: true });
  const run = (...filter: string[]) => spawnSync(process.execPath, [path.join(root, 'scripts', 'run-notebooks.js'), '--experiment', tiny, ...filter], { env, encoding: 'utf8' });
  const nb = run();
  assert.equal(nb.status, 0, nb.stdout + nb.stderr);
  const names = fs.readdirSync(notebooks).filter((f) => f.endsWith('.ipynb'));
  assert.match(nb.stdout, new RegExp(`${names.length} passed, 0 failed`));
  const out = path.join(dir, 'runs', 'notebooks', 'tiny-mnist@default');

  const first04 = printed(path.join(out, '04-dataset-and-predictor.ipynb'));
  for (const solver of ['ddim', 'dpm-solver']) assert.match(first04, new RegExp(`${solver}: 10 of 10 records already collected: nothing to do, no worker started`));
  assert.match(first04, /ddim predictor: trained in \d+ s \(no trained predictor \(predictor\.bin missing\)\)/);
  assert.match(first04, /dpm-solver predictor: reused/);
  assert.ok(fs.existsSync(path.join(dir, 'results', 'tiny-mnist', 'predictor-ddim', 'metrics.json')));

  const nb05 = printed(path.join(out, '05-search-and-front.ipynb'));
  const front = JSON.parse(fs.readFileSync(path.join(dir, 'results', 'tiny-mnist', 'front-ddim.json'), 'utf8')) as { budgets: number[] };
  const budget = Number(/budget C = (\d+(?:\.\d+)?) ms per batch/.exec(nb05)?.[1]);
  assert.equal(budget, front.budgets[Math.floor((front.budgets.length - 1) / 2)], nb05);
  const searched = /searched schedule: cost (\d+\.\d) ms within budget (\d+(?:\.\d+)?) ms, \d+ NFE, selection FID [\d.]+: ([\d,]+)/.exec(nb05);
  assert.ok(searched, nb05);
  assert.ok(Number(searched[1]) <= Number(searched[2]) && Number(searched[2]) === budget, searched[0]);
  assert.match(nb05, /Best single model at C = |No best single model to compare with/);

  // executed again, 04 trains nothing
  const again = run('04');
  assert.equal(again.status, 0, again.stdout + again.stderr);
  const second04 = printed(path.join(out, '04-dataset-and-predictor.ipynb'));
  for (const solver of ['ddim', 'dpm-solver']) assert.match(second04, new RegExp(`${solver} predictor: reused`));
  assert.doesNotMatch(second04, /predictor: trained/);
});

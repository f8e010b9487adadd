#!/usr/bin/env node
// Executes the notebooks with Debian's Jupyter (nbconvert) and the project's tslab kernel,
// into runs/notebooks/<experiment>@<profile>/ (the committed notebooks stay as they are), or with
// --in-place into notebooks/ itself, so that the committed notebooks carry their outputs (run on the
// committed results: the default experiment and profile). A failing cell's real message (tslab
// puts compile errors on stderr) is printed, the exit code is 1, and an --in-place notebook that
// fails is left as it was.
//   node scripts/run-notebooks.js [--profile smoke] [--experiment mnist] [--in-place] [name-filter ...]
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const flag = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
const profile = opt('--profile', process.env.OMS_DPM_PROFILE || 'default');
const experiment = opt('--experiment', process.env.OMS_DPM_EXPERIMENT || 'mnist');
const inPlace = flag('--in-place');
if (inPlace && profile !== 'default') {
  console.error(`run-notebooks: --in-place writes the committed notebooks, which show the committed results (profile default), not profile ${profile}`);
  process.exit(1);
}
const jupyter = '/usr/bin/jupyter';
if (!fs.existsSync(jupyter)) {
  console.error('run-notebooks: /usr/bin/jupyter not found; run bash scripts/setup.sh (installs jupyter-nbconvert)');
  process.exit(1);
}
spawnSync(process.execPath, [path.join(__dirname, 'install-kernel.js')], { stdio: 'ignore' });
const runDir = path.join(process.env.OMS_DPM_RUNS || path.join(root, 'runs'), 'notebooks', `${path.basename(experiment, '.yaml')}@${profile}`);
const outDir = inPlace ? path.join(root, 'notebooks') : runDir;
fs.mkdirSync(runDir, { recursive: true });
const names = fs.readdirSync(path.join(root, 'notebooks')).filter((f) => f.endsWith('.ipynb')).sort().filter((f) => args.length === 0 || args.some((a) => f.includes(a)));
let failed = 0;
// tslab reports a failing cell to Jupyter as an error reply but writes the message itself to the
// cell's stderr stream, so: run strictly (a failure stops nbconvert with a non-zero exit), and on
// failure run again with --allow-errors to read the message from the cell outputs.
const ERROR_TEXT = /^(\w*Error\b|\d+:\d+ - )/m;
const env = { ...process.env, JUPYTER_PATH: path.join(root, '.jupyter', 'share', 'jupyter'), OMS_DPM_EXPERIMENT: experiment, OMS_DPM_PROFILE: profile };
const nbconvert = (name, extra, dir) =>
  spawnSync(jupyter, ['nbconvert', '--to', 'notebook', '--execute', ...extra, '--ExecutePreprocessor.timeout=3600', '--output-dir', dir, path.join(root, 'notebooks', name)], { env, encoding: 'utf8' });
// nbconvert stamps every cell with its execution times (metadata.execution): dropped from the
// committed notebooks, so that executing them again changes only what the cells show
function dropExecutionTimes(file) {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const c of nb.cells) if (c.metadata) delete c.metadata.execution;
  fs.writeFileSync(file, JSON.stringify(nb, null, 1) + '\n');
}
for (const name of names) {
  const t0 = Date.now();
  const r = nbconvert(name, [], outDir);
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  if (r.status === 0) {
    if (inPlace) dropExecutionTimes(path.join(outDir, name));
    console.log(`ok   ${name} (${secs} s) -> ${path.relative(root, path.join(outDir, name))}`);
    continue;
  }
  failed++;
  // the run with errors goes to the run folder, never over a committed notebook
  nbconvert(name, ['--allow-errors'], runDir);
  const outFile = path.join(runDir, name);
  const messages = [];
  if (fs.existsSync(outFile)) {
    const nb = JSON.parse(fs.readFileSync(outFile, 'utf8'));
    nb.cells.forEach((c, i) => {
      for (const o of c.outputs || []) {
        const text = o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : o.name === 'stderr' ? [].concat(o.text).join('') : '';
        if (text && (o.output_type === 'error' || ERROR_TEXT.test(text))) messages.push(`cell ${i}: ${text.split('\n').slice(0, 8).join('\n')}`);
      }
    });
  }
  console.log(`FAIL ${name} (${secs} s):\n${messages.length ? messages[0] : (r.stderr || '').split('\n').slice(-15).join('\n')}`);
}
console.log(`${names.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

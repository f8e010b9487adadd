#!/usr/bin/env node
// Executes the notebooks with Debian's Jupyter (nbconvert) and the project's tslab kernel,
// into runs/notebooks/ (the committed notebooks stay clean). A failing cell's real message
// (tslab puts compile errors on stderr) is printed, and the exit code is 1.
//   node scripts/run-notebooks.js [--profile smoke] [--experiment mnist] [name-filter ...]
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
const profile = opt('--profile', process.env.OMS_DPM_PROFILE || 'default');
const experiment = opt('--experiment', process.env.OMS_DPM_EXPERIMENT || 'mnist');
const jupyter = '/usr/bin/jupyter';
if (!fs.existsSync(jupyter)) {
  console.error('run-notebooks: /usr/bin/jupyter not found; run bash scripts/setup.sh (installs jupyter-nbconvert)');
  process.exit(1);
}
spawnSync(process.execPath, [path.join(__dirname, 'install-kernel.js')], { stdio: 'ignore' });
const outDir = path.join(root, 'runs', 'notebooks', `${experiment}@${profile}`);
fs.mkdirSync(outDir, { recursive: true });
const names = fs.readdirSync(path.join(root, 'notebooks')).filter((f) => f.endsWith('.ipynb')).sort().filter((f) => args.length === 0 || args.some((a) => f.includes(a)));
let failed = 0;
for (const name of names) {
  const t0 = Date.now();
  const r = spawnSync(jupyter, ['nbconvert', '--to', 'notebook', '--execute', '--allow-errors', '--ExecutePreprocessor.timeout=3600', '--output-dir', outDir, path.join(root, 'notebooks', name)], {
    env: { ...process.env, JUPYTER_PATH: path.join(root, '.jupyter', 'share', 'jupyter'), OMS_DPM_EXPERIMENT: experiment, OMS_DPM_PROFILE: profile },
    encoding: 'utf8',
  });
  const outFile = path.join(outDir, name);
  if (r.status !== 0 || !fs.existsSync(outFile)) {
    console.log(`FAIL ${name}: nbconvert exited ${r.status}\n${(r.stderr || '').split('\n').slice(-15).join('\n')}`);
    failed++;
    continue;
  }
  const nb = JSON.parse(fs.readFileSync(outFile, 'utf8'));
  const errors = [];
  nb.cells.forEach((c, i) => {
    for (const o of c.outputs || []) {
      if (o.output_type === 'error') {
        const stderr = (c.outputs || []).filter((x) => x.name === 'stderr').map((x) => [].concat(x.text).join('')).join('');
        errors.push(`cell ${i}: ${o.ename}: ${o.evalue}\n${stderr}`.trim());
      }
    }
  });
  if (errors.length) {
    failed++;
    console.log(`FAIL ${name} (${((Date.now() - t0) / 1000).toFixed(0)} s):\n${errors.join('\n')}`);
  } else console.log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(0)} s) -> ${path.relative(root, outFile)}`);
}
console.log(`${names.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

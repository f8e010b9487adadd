#!/usr/bin/env node
// Refreshes an experiment's committed figure data (the CI goldens) and records why, with the date
// and commit, in results/GOLDENS.md:
//   npm run refresh-goldens -- --experiment mnist [--profile smoke] --why "retrained the zoo"
'use strict';
const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
const get = (n) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : undefined; };
const experiment = get('--experiment');
const profile = get('--profile') || 'default';
const why = get('--why');
if (!experiment || !why) {
  console.error('usage: npm run refresh-goldens -- --experiment NAME [--profile P] --why "reason"');
  process.exit(2);
}
const root = path.join(__dirname, '..');
const r = spawnSync(process.execPath, [path.join(root, 'bin', 'oms-dpm.js'), 'figures', '--experiment', experiment, '--profile', profile], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status || 1);
let commit = 'unknown';
try { commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim(); } catch { /* not a checkout */ }
const log = path.join(root, 'results', 'GOLDENS.md');
if (!fs.existsSync(log)) fs.writeFileSync(log, '# Figure-data goldens: why they changed\n\n| date | experiment | profile | commit | why |\n| --- | --- | --- | --- | --- |\n');
fs.appendFileSync(log, `| ${new Date().toISOString().slice(0, 10)} | ${experiment} | ${profile} | ${commit} | ${why.replace(/\|/g, '/')} |\n`);
console.log(`recorded in ${path.relative(root, log)}`);

/**
 * CI runs every notebook (tslab kernel, Debian's nbconvert) on the tiny test experiment, after a
 * `reproduce` of it in a temporary workspace: the notebooks only call lib/, so this checks that
 * they compile under tslab's TypeScript 5.0 and run end to end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const tiny = path.join(root, 'test', 'fixtures', 'tiny-mnist.yaml');

test('every notebook executes on the tiny experiment', { timeout: 900_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omsdpm-nb-'));
  const env = { ...process.env, OMS_DPM_RESULTS: path.join(dir, 'results'), OMS_DPM_RUNS: path.join(dir, 'runs') };
  const rep = spawnSync(process.execPath, [path.join(root, 'bin', 'oms-dpm.js'), 'reproduce', '--experiment', tiny], { env, encoding: 'utf8' });
  assert.equal(rep.status, 0, rep.stderr);
  const nb = spawnSync(process.execPath, [path.join(root, 'scripts', 'run-notebooks.js'), '--experiment', tiny], { env, encoding: 'utf8' });
  assert.equal(nb.status, 0, nb.stdout + nb.stderr);
  const names = fs.readdirSync(path.join(root, 'notebooks')).filter((f) => f.endsWith('.ipynb'));
  assert.match(nb.stdout, new RegExp(`${names.length} passed, 0 failed`));
});

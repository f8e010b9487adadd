import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkTslabKernel } from '../../lib/util/environment-checks';
import { tempDir } from '../helpers/temp-dir';

test('the tslab kernel check reads the project kernelspec: missing, damaged, stale and registered', () => {
  const root = tempDir('omsdpm-kernel-');
  const dir = path.join(root, '.jupyter', 'share', 'jupyter', 'kernels', 'tslab');
  let c = checkTslabKernel(root);
  assert.equal(c.ok, false);
  assert.match(c.detail, /not registered[\s\S]*install-kernel\.js/);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'kernel.json'), '{oops');
  assert.match(checkTslabKernel(root).detail, /is not JSON/);
  fs.writeFileSync(path.join(dir, 'kernel.json'), JSON.stringify({ argv: ['/usr/bin/env', '/elsewhere/node_modules/.bin/tslab', 'kernel'] }));
  c = checkTslabKernel(root);
  assert.equal(c.ok, false);
  assert.match(c.detail, /\/elsewhere\/node_modules\/\.bin\/tslab, which does not exist/);
  const program = path.join(root, 'tslab');
  fs.writeFileSync(program, '');
  fs.writeFileSync(path.join(dir, 'kernel.json'), JSON.stringify({ argv: ['/usr/bin/env', program, 'kernel'] }));
  c = checkTslabKernel(root);
  assert.equal(c.ok, true, c.detail);
});

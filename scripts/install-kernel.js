#!/usr/bin/env node
// Registers the project's tslab kernel under .jupyter/ (JUPYTER_PATH=$PWD/.jupyter/share/jupyter).
// The kernel starts with the repository root as its working directory: tslab compiles notebook
// cells with rootDir = cwd, so lib/ must be inside it (notebook cells import './lib/...').
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const dir = path.join(root, '.jupyter', 'share', 'jupyter', 'kernels', 'tslab');
fs.mkdirSync(dir, { recursive: true });
const spec = {
  argv: ['/usr/bin/env', '-C', root, path.join(root, 'node_modules', '.bin', 'tslab'), 'kernel', '--config-path', '{connection_file}'],
  display_name: 'TypeScript (oms-dpm kit)',
  language: 'typescript',
};
fs.writeFileSync(path.join(dir, 'kernel.json'), JSON.stringify(spec, null, 1) + '\n');
console.log(`tslab kernel registered in ${dir}`);

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { learningRateAt } from '../../lib/diffusion/learning-rate';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${a} != ${b}`);

test('constant: the base rate after a linear warm-up', () => {
  close(learningRateAt(1e-3, 'constant', 0, 0, 100), 1e-3);
  close(learningRateAt(1e-3, 'constant', 4, 0, 100), 2.5e-4);
  close(learningRateAt(1e-3, 'constant', 4, 3, 100), 1e-3);
  close(learningRateAt(1e-3, 'constant', 4, 99, 100), 1e-3);
});

test('cosine: the base rate at step 0, half at the middle, near zero at the last step', () => {
  close(learningRateAt(1e-3, 'cosine', 0, 0, 100), 1e-3);
  close(learningRateAt(1e-3, 'cosine', 0, 50, 100), 5e-4);
  close(learningRateAt(1e-3, 'cosine', 0, 99, 100), 1e-3 * 0.5 * (1 + Math.cos(Math.PI * 0.99)));
  // the warm-up multiplies the annealing: step 1 of 4 warm-up steps, 100 steps in all
  close(learningRateAt(1e-3, 'cosine', 4, 1, 100), 1e-3 * 0.5 * 0.5 * (1 + Math.cos(Math.PI / 100)));
});

test('the PyTorch scout uses the same formula', { skip: !fs.existsSync('/usr/bin/python3') }, () => {
  const dir = path.join(__dirname, '..', '..', 'reference', 'pytorch');
  const code = `import sys; sys.path.insert(0, ${JSON.stringify(dir)});
import importlib.util as u
spec = u.spec_from_file_location('scout', ${JSON.stringify(path.join(dir, 'torch_scout.py'))})
m = u.module_from_spec(spec)
try:
    spec.loader.exec_module(m)
except ModuleNotFoundError:
    print('skip'); sys.exit(0)
print(' '.join(repr(m.learning_rate(1e-3, d, w, n, 100)) for d, w, n in [('constant', 4, 0), ('cosine', 0, 50), ('cosine', 4, 1), ('cosine', 0, 99)]))`;
  const out = execFileSync('/usr/bin/python3', ['-c', code]).toString().trim();
  if (out === 'skip') return;
  const got = out.split(' ').map(Number);
  const want = [learningRateAt(1e-3, 'constant', 4, 0, 100), learningRateAt(1e-3, 'cosine', 0, 50, 100), learningRateAt(1e-3, 'cosine', 4, 1, 100), learningRateAt(1e-3, 'cosine', 0, 99, 100)];
  got.forEach((g, i) => close(g, want[i]));
});

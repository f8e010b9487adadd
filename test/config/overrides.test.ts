import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExperimentSchema, validateExperiment } from '../../lib/config/experiment-schema';
import {
  applyOverrides,
  formatAssignment,
  parseAssignment,
  resolvePath,
  setPath,
  tokenizePath,
} from '../../lib/config/overrides';
import { KitError } from '../../lib/util/errors';
import { minimalExperiment } from './fixtures';

function base() {
  return validateExperiment(minimalExperiment());
}

function set(...assignments: string[]) {
  const overrides = assignments.map((a) => parseAssignment(a));
  return validateExperiment(applyOverrides(ExperimentSchema, base(), overrides));
}

function kitError(fn: () => unknown, ...fragments: string[]): KitError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof KitError, String(e));
    for (const f of fragments) assert.ok(e.message.includes(f), `'${e.message}' lacks '${f}'`);
    return e;
  }
  assert.fail('expected a KitError');
}

test('values are parsed as YAML scalars and flow collections', () => {
  assert.deepEqual(parseAssignment('training.iterations=500'), { path: 'training.iterations', value: 500, source: '--set' });
  assert.equal(parseAssignment('training.learningRate=1e-4').value, 1e-4);
  assert.deepEqual(parseAssignment('zoo[s8].unet.chMult=[1,2]').value, [1, 2]);
  assert.equal(parseAssignment('dataset.root=null').value, null);
  assert.equal(parseAssignment('dataset.root=').value, null);
  assert.equal(parseAssignment('description="a: b"').value, 'a: b');
  assert.equal(parseAssignment('description=x=y').value, 'x=y');
  assert.equal(parseAssignment('training.emaWarmup=true').value, true);
  kitError(() => parseAssignment('training.iterations'), 'expected key=value');
  kitError(() => parseAssignment('zoo[0].unet.chMult=[1,2'), 'not valid YAML');
});

test('--set by dotted key, by index and by id', () => {
  const cfg = set('training.iterations=500', 'zoo[0].unet.ch=12', 'zoo[m16].unet.chMult=[1,2]', 'zoo[l24].training.iterations=7');
  assert.equal(cfg.training.iterations, 500);
  assert.equal(cfg.zoo[0].unet.ch, 12);
  assert.deepEqual(cfg.zoo[1].unet.chMult, [1, 2]);
  assert.deepEqual(cfg.zoo[2].training, { iterations: 7 });
  assert.equal(set('zoo[m16].unet.chMult[1]=4').zoo[1].unet.chMult[1], 4);
});

test('setting does not mutate the input', () => {
  const b = base();
  const before = JSON.stringify(b);
  setPath(ExperimentSchema, b, 'zoo[s8].unet.ch', 99);
  assert.equal(JSON.stringify(b), before);
});

test('a key absent from the file (default applies) can still be set, sections are created', () => {
  const raw = minimalExperiment();
  const out = setPath(ExperimentSchema, raw, 'sampling.clipDenoised', false) as Record<string, any>;
  assert.deepEqual(out.sampling, { clipDenoised: false });
  assert.equal(validateExperiment(out).sampling.clipDenoised, false);
});

test('bad paths: unknown key with suggestion, bad id, bad index, list without selector', () => {
  kitError(() => resolvePath(ExperimentSchema, base(), 'training.iteration'), "no key 'iteration' in training", "did you mean 'iterations'?");
  const e = kitError(() => resolvePath(ExperimentSchema, base(), 'trainig.iterations'), "did you mean 'training'?");
  assert.match(e.hint ?? '', /keys of the top level: name, description, dataset/);
  kitError(() => resolvePath(ExperimentSchema, base(), 'zoo[s9].unet.ch'), "no element with id 's9' in zoo", "did you mean 's8'?");
  kitError(() => resolvePath(ExperimentSchema, base(), 'zoo[3].unet.ch'), 'zoo has 3 element(s), so [3] does not exist');
  kitError(() => resolvePath(ExperimentSchema, base(), 'zoo.s8.unet'), 'zoo is a list', 'zoo[0]', 'zoo[<id>]');
  kitError(() => resolvePath(ExperimentSchema, base(), 'training.iterations.x'), 'single value');
  kitError(() => resolvePath(ExperimentSchema, base(), 'zoo[0].unet.chMult[1].x'), 'single value');
  kitError(() => set('zoo[s8].unet.chMul=[1,2]'), '--set', "did you mean 'chMult'?");
});

test('path syntax errors', () => {
  kitError(() => tokenizePath('training..iterations'), 'bad config path');
  kitError(() => tokenizePath('zoo[0'), 'unclosed');
  kitError(() => tokenizePath('[0].a'), 'starts with a key');
  kitError(() => tokenizePath(''), 'empty path');
  assert.deepEqual(
    tokenizePath('profiles.smoke["training.iterations"]').map((t) => t.text),
    ['profiles', 'smoke', 'training.iterations'],
  );
});

test('resolved segments turn ids into indices', () => {
  assert.deepEqual(resolvePath(ExperimentSchema, base(), 'zoo[l24].unet.attnResolutions[0]').segments, [
    'zoo',
    2,
    'unet',
    'attnResolutions',
    0,
  ]);
});

test('values that break the schema are caught by validation after setting', () => {
  assert.throws(() => set('training.learningRate=-1'), /training\.learningRate: must be number > 0/);
  assert.throws(() => set('zoo[s8].unet.groupNormGroups=3'), /zoo\[0\]\.unet\.groupNormGroups: 3 does not divide/);
});

test('formatAssignment round-trips through parseAssignment', () => {
  for (const v of [500, 1e-8, [1, 2], 'a: b', null, true, 'hello world', { iterations: 3 }]) {
    const text = formatAssignment('k', v);
    assert.ok(!text.includes('\n'), text);
    assert.deepEqual(parseAssignment(text).value, v, text);
  }
  assert.equal(formatAssignment('zoo[s8].unet.chMult', [1, 2]), 'zoo[s8].unet.chMult=[1, 2]');
});

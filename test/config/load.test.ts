import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify as toYaml } from 'yaml';
import {
  canonicalJson,
  configHash,
  experimentToYaml,
  experimentsDir,
  hashOf,
  listExperiments,
  loadExperiment,
  repoRoot,
} from '../../lib/config/load';
import { resolveModelTraining } from '../../lib/config/experiment-schema';
import { KitError } from '../../lib/util/errors';
import { minimalExperiment, tempDir, writeExperiment } from './fixtures';

function kitError(fn: () => unknown, ...fragments: (string | RegExp)[]): KitError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof KitError, String(e));
    for (const f of fragments) {
      if (typeof f === 'string') assert.ok(e.message.includes(f), `'${e.message}' lacks '${f}'`);
      else assert.match(e.message, f);
    }
    return e;
  }
  assert.fail('expected a KitError');
}

const EXPECTED = ['celeba', 'cifar10', 'fashion-mnist', 'imagenet64', 'lsun-church', 'mnist'];

test('repoRoot holds package.json and experiments/', () => {
  assert.ok(fs.existsSync(path.join(repoRoot(), 'package.json')));
  assert.equal(experimentsDir(), path.join(repoRoot(), 'experiments'));
  for (const name of EXPECTED) assert.ok(listExperiments().includes(name), name);
});

test('every experiment file loads under every one of its profiles', () => {
  for (const name of listExperiments()) {
    const base = loadExperiment(name);
    assert.equal(base.profile, 'default');
    assert.deepEqual(base.overrides, []);
    assert.equal(base.config.name, name);
    assert.equal(base.sourceFile, path.join(experimentsDir(), `${name}.yaml`));
    assert.match(base.hash, /^[0-9a-f]{16}$/);
    for (const profile of Object.keys(base.config.profiles)) {
      const r = loadExperiment(name, { profile });
      assert.equal(r.profile, profile);
      assert.equal(r.overrides.length, Object.keys(base.config.profiles[profile]).length);
      assert.equal(r.hash, configHash(r.config));
    }
  }
});

test('the paper experiments restate the paper and have the official largest member', () => {
  const official: Record<string, { ch: number; chMult: number[]; numResBlocks: number; attn: number[]; size: number }> = {
    cifar10: { ch: 128, chMult: [1, 2, 2, 2], numResBlocks: 2, attn: [16], size: 32 },
    celeba: { ch: 128, chMult: [1, 2, 2, 2, 4], numResBlocks: 2, attn: [16], size: 64 },
    imagenet64: { ch: 128, chMult: [1, 2, 3, 4], numResBlocks: 3, attn: [16, 8], size: 64 },
    'lsun-church': { ch: 128, chMult: [1, 1, 2, 2, 4, 4], numResBlocks: 2, attn: [16], size: 256 },
  };
  for (const [name, o] of Object.entries(official)) {
    const { config: c } = loadExperiment(name);
    assert.equal(c.zoo.length, 6, name);
    assert.equal(new Set(c.zoo.map((z) => z.id)).size, 6);
    const largest = c.zoo[c.zoo.length - 1].unet;
    assert.equal(largest.ch, o.ch, name);
    assert.deepEqual(largest.chMult, o.chMult, name);
    assert.equal(largest.numResBlocks, o.numResBlocks, name);
    assert.deepEqual(largest.attnResolutions, o.attn, name);
    for (const z of c.zoo) assert.ok(z.unet.ch <= largest.ch && z.unet.numResBlocks <= largest.numResBlocks, `${name} ${z.id}`);
    assert.equal(c.dataset.imageSize, o.size);
    assert.equal(c.dataset.randomFlip, true);
    assert.equal(c.dataset.root, null);
    assert.deepEqual(c.diffusion, { timesteps: 1000, betaSchedule: 'linear', betaStart: 0.0001, betaEnd: 0.02 });
    const t = c.training;
    assert.deepEqual(
      [t.batchSize, t.iterations, t.learningRate, t.adamBeta1, t.adamEps, t.gradClipNorm, t.emaWarmup],
      [128, 800000, 2e-4, 0.9, 1e-8, 1, false],
    );
    const lsun = name === 'lsun-church';
    assert.equal(t.emaRate, lsun ? 0.999 : 0.9999);
    for (const z of c.zoo) assert.equal(z.unet.dropout, lsun ? 0 : 0.1);
    assert.equal(loadExperiment(name, { profile: 'paper' }).hash, loadExperiment(name).hash, `${name}: paper = file values`);
  }
});

test('the CPU-scale experiments match the brief', () => {
  // one UNet family, widening member by member, the 4 members the brief asks for: the zoo of issue 18
  // (at least 4 channels per GroupNorm group, 6000 cosine-annealed steps each) on both data sets
  const want = {
    ch: [['w4', 4], ['w8', 8], ['w16', 16], ['w24', 24]],
    iterations: [6000, 6000, 6000, 6000],
    learningRate: [0.002, 0.002, 0.002, 0.001],
    groups: (ch: number) => ch / 4,
    lrDecay: 'cosine',
    storage: 'float16',
  };
  for (const name of ['mnist', 'fashion-mnist']) {
    const { config: c } = loadExperiment(name);
    assert.deepEqual(c.zoo.map((z) => [z.id, z.unet.ch]), want.ch, name);
    assert.deepEqual(c.zoo.map((z) => resolveModelTraining(c, z.id).iterations), want.iterations, name);
    assert.deepEqual(c.zoo.map((z) => resolveModelTraining(c, z.id).learningRate), want.learningRate, name);
    for (const z of c.zoo) {
      assert.deepEqual(z.unet.chMult, [1, 2, 2]);
      assert.deepEqual(z.unet.attnResolutions, []);
      assert.equal(z.unet.groupNormGroups, want.groups(z.unet.ch), `${name} ${z.id}`);
    }
    assert.equal(c.training.lrDecay, want.lrDecay, name);
    assert.equal(c.storage.weights, want.storage, name);
    assert.equal(c.training.emaRate, 0.999);
    assert.equal(c.training.emaWarmup, true);
    assert.equal(c.dataset.randomFlip, false);
    assert.ok(c.deviations.length >= 8);
    const smoke = loadExperiment(name, { profile: 'smoke' }).config;
    assert.equal(smoke.zoo.length, want.ch.length);
    for (const z of smoke.zoo) assert.equal(resolveModelTraining(smoke, z.id).iterations, 30);
    const paper = loadExperiment(name, { profile: 'paper' }).config;
    for (const z of paper.zoo) {
      const t = resolveModelTraining(paper, z.id);
      assert.deepEqual([t.iterations, t.emaRate, t.emaWarmup, t.learningRate, t.lrDecay], [800000, 0.9999, false, 0.0002, 'constant'], `${name} ${z.id}`);
    }
  }
});

test('round trip: resolved config -> YAML -> load gives the same hash', () => {
  const dir = tempDir();
  for (const name of listExperiments()) {
    for (const profile of ['default', 'smoke', 'paper']) {
      const r = loadExperiment(name, { profile, set: ['sampling.noiseBankSeed=99'] });
      const file = writeExperiment(dir, name, experimentToYaml(r.config));
      const again = loadExperiment(file);
      assert.equal(again.hash, r.hash, `${name}/${profile}`);
      assert.deepEqual(again.config, r.config);
    }
  }
});

test('--set by index and by id, recorded after the profile entries', () => {
  const r = loadExperiment('mnist', {
    profile: 'smoke',
    set: ['zoo[w16].unet.chMult=[1,2]', 'zoo[1].unet.ch=20', 'training.learningRate=1e-3'],
  });
  assert.deepEqual(r.config.zoo[2].unet.chMult, [1, 2]);
  assert.equal(r.config.zoo[1].unet.ch, 20);
  assert.equal(r.config.training.learningRate, 1e-3);
  assert.equal(r.config.training.iterations, 30);
  assert.deepEqual(r.overrides.slice(-3), ['zoo[w16].unet.chMult=[1, 2]', 'zoo[1].unet.ch=20', 'training.learningRate=0.001']);
  assert.equal(r.overrides[0], 'training.iterations=30');
  assert.notEqual(r.hash, loadExperiment('mnist', { profile: 'smoke' }).hash);
});

test('bad --set path or value names the override', () => {
  kitError(() => loadExperiment('mnist', { set: ['zoo[w9].unet.ch=4'] }), "--set: unknown config path 'zoo[w9].unet.ch'", "did you mean 'w4'?");
  kitError(() => loadExperiment('mnist', { set: ['training.iteratons=4'] }), "did you mean 'iterations'?");
  kitError(
    () => loadExperiment('mnist', { set: ['zoo[w24].unet.groupNormGroups=5'] }),
    'experiments/mnist.yaml with --set zoo[w24].unet.groupNormGroups=5: zoo[3].unet.groupNormGroups: 5 does not divide',
  );
});

test('unknown profile lists the profiles of the file', () => {
  const e = kitError(() => loadExperiment('mnist', { profile: 'smok' }), "unknown profile 'smok'", "did you mean 'smoke'?");
  assert.match(e.hint ?? '', /default, smoke, paper/);
});

test('unknown experiment name suggests one', () => {
  kitError(() => loadExperiment('cifar'), "unknown experiment 'cifar'", "did you mean 'cifar10'?");
});

test('YAML syntax errors report file, line and column', () => {
  const dir = tempDir();
  const file = writeExperiment(dir, 'broken', 'name: broken\ndataset:\n  name: mnist\n  imageSize: [28\n  channels: 1\n');
  const e = kitError(() => loadExperiment(file), 'invalid YAML');
  assert.match(e.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
  assert.match(e.message, /broken\.yaml:5:\d+/);
  const dup = writeExperiment(dir, 'dup', 'name: dup\nname: dup\n');
  kitError(() => loadExperiment(dup), /dup\.yaml:2:1: invalid YAML: Map keys must be unique/);
});

test('validation errors in a file point at the line of the bad value', () => {
  const dir = tempDir();
  const v = minimalExperiment();
  v.name = 'located';
  v.zoo[1].unet.ch = -16;
  const text = toYaml(v);
  const line = text.split('\n').findIndex((l) => l.includes('ch: -16')) + 1;
  const file = writeExperiment(dir, 'located', text);
  kitError(() => loadExperiment(file), new RegExp(`located\\.yaml:${line}:\\d+: zoo\\[1\\]\\.unet\\.ch: must be int >= 1, got -16`));
  // A missing key points at its parent section.
  const w = minimalExperiment();
  w.name = 'missing';
  delete w.dataset.channels;
  const file2 = writeExperiment(dir, 'missing', toYaml(w));
  kitError(() => loadExperiment(file2), /missing\.yaml:3:\d+: dataset\.channels: required key is missing/);
});

test('a file name that differs from name: is rejected', () => {
  const dir = tempDir();
  const file = writeExperiment(dir, 'renamed', toYaml(minimalExperiment()));
  kitError(() => loadExperiment(file), "name: 'tiny' must equal the file's base name 'renamed'");
});

test('a broken profile is reported even when another profile is asked for', () => {
  const dir = tempDir();
  const v = minimalExperiment();
  v.profiles.bad = { 'zoo[s8].unet.groupNormGroups': 3 };
  const file = writeExperiment(dir, 'tiny', toYaml(v));
  kitError(() => loadExperiment(file, { profile: 'smoke' }), "with profile 'bad' zoo[s8].unet.groupNormGroups=3", '3 does not divide');
});

test('hash is stable under key order and changes when a value changes', () => {
  const dir = tempDir();
  const v = minimalExperiment();
  const a = loadExperiment(writeExperiment(dir, 'tiny', toYaml(v)));
  const reordered = Object.fromEntries(Object.entries(v).reverse());
  reordered.dataset = Object.fromEntries(Object.entries(v.dataset).reverse());
  const b = loadExperiment(writeExperiment(dir, 'tiny', toYaml(reordered)));
  assert.equal(b.hash, a.hash);
  // Documentation keys do not change the hash ...
  const doc = loadExperiment(writeExperiment(dir, 'tiny', toYaml({ ...v, description: 'other words', deviations: ['x'] })));
  assert.equal(doc.hash, a.hash);
  // ... values do.
  const changed = { ...v, training: { iterations: 101 } };
  assert.notEqual(loadExperiment(writeExperiment(dir, 'tiny', toYaml(changed))).hash, a.hash);
  assert.notEqual(loadExperiment(writeExperiment(dir, 'tiny', toYaml(v)), { set: ['zoo[s8].unet.dropout=0'] }).hash, a.hash);
});

test('storage.weights: float32 (the default, what every earlier result was made with) leaves every hash as it was; float16 changes it', () => {
  for (const name of listExperiments()) {
    const exp = loadExperiment(name);
    const f32 = loadExperiment(name, { set: ['storage.weights=float32'] });
    const { storage: _storage, ...before } = f32.config;
    assert.equal(f32.hash, configHash(before as typeof f32.config), `${name}: float32 is not hashed`);
    // the promoted CPU zoos are stored as float16 (issue 22); every other experiment keeps the float32 default
    assert.equal(exp.config.storage.weights, ['mnist', 'fashion-mnist'].includes(name) ? 'float16' : 'float32', name);
    if (exp.config.storage.weights === 'float32') assert.equal(exp.hash, f32.hash, `${name}: the default neither`);
    assert.notEqual(loadExperiment(name, { set: ['storage.weights=float16'] }).hash, f32.hash, `${name}: float16 is hashed`);
  }
});

test('canonicalJson sorts keys at every level; hashOf is 16 hex digits', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  assert.equal(hashOf({ a: 1, b: 2 }), hashOf({ b: 2, a: 1 }));
  assert.notEqual(hashOf({ a: 1 }), hashOf({ a: 2 }));
  assert.match(hashOf([1, 'x']), /^[0-9a-f]{16}$/);
  assert.throws(() => canonicalJson({ a: NaN }), KitError);
  assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigError,
  Infer,
  bool,
  describeSchema,
  formatPath,
  int,
  list,
  nullable,
  num,
  obj,
  partial,
  schemaEntries,
  str,
  validate,
} from '../../lib/config/schema-kit';
import { KitError } from '../../lib/util/errors';
import { closest } from '../../lib/config/suggest';

const Inner = obj(
  {
    ch: int({ min: 1, doc: 'width' }),
    chMult: list(int({ min: 1, doc: 'multiplier' }), { minLength: 1, doc: 'multipliers' }),
    dropout: num({ default: 0.1, min: 0, lt: 1, doc: 'dropout' }),
  },
  { doc: 'a unet' },
);
const S = obj({
  name: str({ pattern: /[a-z]+/, doc: 'name' }),
  kind: str({ default: 'linear', oneOf: ['linear', 'cosine'] as const, doc: 'kind' }),
  root: nullable(str({ doc: 'folder' })),
  clip: nullable(num({ default: 1, gt: 0, doc: 'clip' })),
  flag: bool({ default: false, doc: 'flag' }),
  opts: obj({ a: int({ default: 3, doc: 'a' }), b: bool({ default: true, doc: 'b' }) }, { doc: 'options' }),
  zoo: list(obj({ id: str({ doc: 'id' }), unet: Inner, training: partial(Inner, { doc: 'overrides' }) }, { doc: 'member' }), {
    minLength: 1,
    doc: 'zoo',
  }),
});
type T = Infer<typeof S>;

function good(): Record<string, any> {
  return { name: 'abc', zoo: [{ id: 'a', unet: { ch: 8, chMult: [1, 2] } }] };
}

function throwsConfig(fn: () => unknown, pathText: string, ...fragments: (string | RegExp)[]): ConfigError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    assert.ok(e instanceof KitError);
    assert.equal(formatPath(e.path), pathText, e.message);
    assert.ok(e.message.startsWith(`${pathText}: `), e.message);
    for (const f of fragments) {
      if (typeof f === 'string') assert.ok(e.message.includes(f), `'${e.message}' lacks '${f}'`);
      else assert.match(e.message, f);
    }
    return e;
  }
  assert.fail('expected a ConfigError');
}

test('fills every default and infers the types', () => {
  const v: T = validate(S, good());
  assert.deepEqual(v, {
    name: 'abc',
    kind: 'linear',
    root: null,
    clip: 1,
    flag: false,
    opts: { a: 3, b: true },
    zoo: [{ id: 'a', unet: { ch: 8, chMult: [1, 2], dropout: 0.1 }, training: {} }],
  });
  const kind: 'linear' | 'cosine' = v.kind;
  const root: string | null = v.root;
  const it: number | undefined = v.zoo[0].training.ch;
  assert.equal(kind, 'linear');
  assert.equal(root, null);
  assert.equal(it, undefined);
});

test('does not mutate its input and does not share defaults between results', () => {
  const input = good();
  const before = JSON.stringify(input);
  const a = validate(S, input);
  a.opts.a = 99;
  assert.equal(JSON.stringify(input), before);
  assert.equal(validate(S, good()).opts.a, 3);
});

test('wrong type names the full path, the value and what is allowed', () => {
  const v = good();
  v.zoo.push({ id: 'b', unet: { ch: 8, chMult: [1, 2] } });
  v.zoo.push({ id: 'c', unet: { ch: 8, chMult: [1, 'two'] } });
  throwsConfig(() => validate(S, v), 'zoo[2].unet.chMult[1]', 'expected int >= 1', '"two" (string)');
});

test('quoted numbers get a hint', () => {
  const v = good();
  v.zoo[0].unet.ch = '8';
  const e = throwsConfig(() => validate(S, v), 'zoo[0].unet.ch', 'expected int >= 1');
  assert.match(e.hint ?? '', /quoted/);
});

test('range violations say the allowed range', () => {
  const v = good();
  v.zoo[0].unet.dropout = 1;
  throwsConfig(() => validate(S, v), 'zoo[0].unet.dropout', 'must be number in [0, 1)', 'got 1');
  const w = good();
  w.zoo[0].unet.ch = 2.5;
  throwsConfig(() => validate(S, w), 'zoo[0].unet.ch', 'expected int >= 1', '2.5');
});

test('unknown keys are rejected with a suggestion and the allowed keys', () => {
  const v = good();
  v.zoo[0].unet.chMul = [1];
  throwsConfig(() => validate(S, v), 'zoo[0].unet.chMul', 'unknown key', "did you mean 'chMult'?", 'allowed keys in zoo[0].unet: ch, chMult, dropout');
  const w = good();
  w.Flag = true;
  throwsConfig(() => validate(S, w), 'Flag', "did you mean 'flag'?", 'at the top level');
  const x = good();
  x.zzzzzz = 1;
  const e = throwsConfig(() => validate(S, x), 'zzzzzz', 'unknown key;');
  assert.ok(!e.message.includes('did you mean'));
});

test('required keys, oneOf, pattern, null and lists', () => {
  const v = good();
  delete v.name;
  throwsConfig(() => validate(S, v), 'name', 'required key is missing');
  throwsConfig(() => validate(S, { ...good(), kind: 'cosin' }), 'kind', "'cosin' is not allowed (did you mean 'cosine'?)", "'linear' | 'cosine'");
  throwsConfig(() => validate(S, { ...good(), name: 'ABC' }), 'name', 'must match [a-z]+');
  throwsConfig(() => validate(S, { ...good(), flag: null }), 'flag', 'expected boolean, got null');
  throwsConfig(() => validate(S, { ...good(), zoo: [] }), 'zoo', 'at least 1');
  throwsConfig(() => validate(S, { ...good(), opts: [1] }), 'opts', 'expected an object');
  throwsConfig(() => validate(S, { ...good(), clip: -1 }), 'clip', 'must be number > 0', '(or null)');
  assert.equal(validate(S, { ...good(), clip: null }).clip, null);
  assert.equal(validate(S, { ...good(), root: '/data' }).root, '/data');
});

test('partial objects check types but fill nothing', () => {
  const v = good();
  v.zoo[0].training = { dropout: 0.2 };
  assert.deepEqual(validate(S, v).zoo[0].training, { dropout: 0.2 });
  v.zoo[0].training = { dropout: 'x' };
  throwsConfig(() => validate(S, v), 'zoo[0].training.dropout', 'expected number');
  v.zoo[0].training = { droput: 0.2 };
  throwsConfig(() => validate(S, v), 'zoo[0].training.droput', "did you mean 'dropout'?");
});

test('a string path is printed as a prefix', () => {
  assert.throws(() => validate(Inner, { ch: 0, chMult: [1] }, 'zoo[3].unet'), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /^zoo\[3\]\.unet\.ch: must be int >= 1, got 0/);
    return true;
  });
});

test('defaults that violate their own schema are caught when the schema is built', () => {
  assert.throws(() => num({ default: -1, min: 0, doc: 'x' }), /invalid default/);
  assert.throws(() => obj({ a: int({ doc: '' }) }), /has no doc/);
});

test('describeSchema lists every key with type, default and doc', () => {
  const text = describeSchema(S);
  for (const key of ['name', 'kind', 'root', 'clip', 'opts.a', 'zoo[].unet.chMult', 'zoo[].unet.dropout', 'zoo[].training']) {
    assert.match(text, new RegExp(`^${key.replace(/[[\].]/g, '\\$&')}\\s`, 'm'), `missing ${key}`);
  }
  const entries = schemaEntries(S);
  const clip = entries.find((e) => e.path === 'clip');
  assert.deepEqual(clip, { path: 'clip', type: 'number > 0 | null', default: '1', doc: 'clip' });
  assert.equal(entries.find((e) => e.path === 'name')?.default, undefined);
  assert.match(text, /^name\s+string matching \[a-z\]\+\s+\(required\)\s+name$/m);
});

test('formatPath quotes keys that are not plain words', () => {
  assert.equal(formatPath(['profiles', 'smoke', 'zoo[s8].training.iterations']), 'profiles.smoke["zoo[s8].training.iterations"]');
  assert.equal(formatPath([]), '(root)');
});

test('suggestions: an abbreviation of exactly one candidate wins over a short edit distance', () => {
  assert.equal(closest('dpm', ['ddim', 'dpm-solver']), 'dpm-solver');
  assert.equal(closest('d', ['ddim', 'dpm-solver']), undefined); // too short to abbreviate anything
  assert.equal(closest('budgetCout', ['budgetCount', 'lowNfe']), 'budgetCount');
});

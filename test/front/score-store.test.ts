/**
 * The front's FID cache file and the `front` command's option checks (which come before any
 * engine, zoo or FID reference is loaded).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { frontCommand } from '../../lib/cli/commands/front';
import { FrontScoreStore } from '../../lib/front/index';
import { isKitError } from '../../lib/util/errors';
import { tempDir } from './helpers';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

test('FID cache: kept across opens, keyed by solver, schedule and images; a line in flight is dropped', () => {
  const file = path.join(tempDir(), 'front-ddim-scores.jsonl');
  const a = FrontScoreStore.open(file, 'id-1');
  a.put({ solver: 'ddim', schedule: [1, 0, 2], images: 16, fid: 12.5, engine: 'e', seconds: 1 });
  a.put({ solver: 'dpm-solver', schedule: [1, 0, 2], images: 16, fid: 9, engine: 'e', seconds: 1 });
  a.put({ solver: 'ddim', schedule: [1, 0, 2], images: 32, fid: 11, engine: 'e', seconds: 1 });
  fs.appendFileSync(file, '{"solver": "ddim", "sched');
  const b = FrontScoreStore.open(file, 'id-1');
  assert.equal(b.size, 3);
  assert.equal(b.reset, false);
  assert.equal(b.get('ddim', [1, 0, 2], 16)?.fid, 12.5);
  assert.equal(b.get('dpm-solver', [1, 0, 2], 16)?.fid, 9);
  assert.equal(b.get('ddim', [1, 0, 2], 32)?.fid, 11);
  assert.equal(b.get('ddim', [1, 0, 1], 16), undefined);
  assert.ok(fs.readFileSync(file, 'utf8').endsWith('}\n'), 'the partial line is cut off');
  b.put({ solver: 'ddim', schedule: [2], images: 16, fid: 3, engine: 'e', seconds: 1 });
  assert.equal(FrontScoreStore.open(file, 'id-1').size, 4);
  // another identity: the FIDs no longer apply
  const c = FrontScoreStore.open(file, 'id-2');
  assert.equal(c.size, 0);
  assert.equal(c.reset, true);
  // a corrupted line in the middle is an error that says what to do
  fs.writeFileSync(file, `${JSON.stringify({ kind: 'oms-dpm-front-scores', version: 1, identity: 'id-3' })}\nnot json\n{}\n`);
  assert.throws(() => FrontScoreStore.open(file, 'id-3'), (e: unknown) => isKitError(e) && /line 2/.test(e.message) && /delete the file/.test(e.hint ?? ''));
});

test('front command: bad --budgets, --random-n, --series and --solver are KitErrors before any work', async () => {
  const cases: [string[], RegExp][] = [
    [['--budgets', '10,abc'], /--budgets/],
    [['--random-n', '0'], /--random-n/],
    [['--series', 'oms-dpm,bogus'], /bogus/],
    [['--budget-count', '2.5'], /--budget-count/],
  ];
  for (const [extra, re] of cases) {
    await assert.rejects(frontCommand().exitOverride().parseAsync(['--experiment', tiny, '--solver', 'ddim', ...extra], { from: 'user' }), (e: unknown) => isKitError(e) && re.test(e.message), extra.join(' '));
  }
  await assert.rejects(frontCommand().exitOverride().parseAsync(['--experiment', tiny, '--solver', 'euler'], { from: 'user' }), (e: unknown) => isKitError(e) && /euler/.test(e.message));
});

/**
 * `oms-dpm schedule show|validate|cost`, run in-process (the command is mounted on a bare program
 * here; lib/cli/main.ts wires it into `oms-dpm`). The experiment is the two-model tiny-mnist fixture.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { scheduleCommand } from '../../lib/cli/commands/schedule';
import { KitError } from '../../lib/util/errors';
import { tempDir } from '../helpers/temp-dir';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

/** Runs `schedule <args>` and returns what it printed to stdout. */
function run(args: string[]): string {
  const program = new Command('oms-dpm').exitOverride().addCommand(scheduleCommand());
  const chunks: string[] = [];
  const write = process.stdout.write;
  const errWrite = process.stderr.write;
  process.stdout.write = ((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    program.parse(['schedule', ...args], { from: 'user' });
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
  }
  return chunks.join('');
}

function throwsKit(fn: () => unknown, message: RegExp, hint?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof KitError, `expected KitError, got ${String(e)}`);
    assert.match(e.message, message);
    if (hint) assert.match(e.hint ?? '', hint);
    return true;
  });
}

test('show --json (dpm-solver): evaluations in calling order with t and tInput', () => {
  const out = JSON.parse(run(['show', '--solver', 'dpm-solver', '--schedule', '1,2,3,0,0,0,4,0,0,5,6,0', '--models', '6', '--json']));
  assert.equal(out.solver, 'dpm-solver');
  assert.equal(out.nfe, 6);
  assert.deepEqual(Object.keys(out.evaluations[0]), ['step', 'order', 'model', 't', 'tInput']);
  assert.deepEqual(out.evaluations.map((e: { model: number }) => e.model), [6, 5, 4, 3, 2, 1]);
  assert.deepEqual(out.evaluations.map((e: { order: number }) => e.order), [2, 2, 1, 3, 3, 3]);
  assert.equal(out.evaluations[0].t, 1);
  assert.equal(out.evaluations[0].tInput, 999);
});

test('show --json (ddim): order 1, discrete timestep as tInput, no t', () => {
  const out = JSON.parse(run(['show', '--solver', 'ddim', '--schedule', '1,0,0,2,0,3,0,0,0,4', '--json']));
  assert.deepEqual(out, {
    solver: 'ddim',
    nfe: 4,
    evaluations: [
      { step: 0, order: 1, model: 4, tInput: 900 },
      { step: 1, order: 1, model: 3, tInput: 500 },
      { step: 2, order: 1, model: 2, tInput: 300 },
      { step: 3, order: 1, model: 1, tInput: 0 },
    ],
  });
});

test('show without --json prints a table naming zoo ids when --experiment is given', () => {
  const out = run(['show', '--solver', 'dpm-solver', '--schedule', '2,1,0', '--experiment', tiny]);
  assert.match(out, /dpm-solver schedule, length 3, 2 NFE in 1 step \(orders 2/);
  assert.match(out, /t_0 = 0\.001/);
  assert.match(out, /1 \(a\)/);
  assert.match(out, /2 \(b\)/);
  assert.equal(out.trim().split('\n').length, 4); // summary, header, 2 rows
});

test('validate: valid schedules print "valid:", bad ones throw the KitError naming the position', () => {
  assert.match(run(['validate', '--solver', 'dpm-solver', '--schedule', '3,2,1,0,0,0', '--models', '3']), /^valid: dpm-solver schedule, length 6, 3 NFE/);
  assert.match(run(['validate', '--solver', 'ddim', '--schedule', '0,2', '--experiment', tiny]), /valid: .*zoo of 'tiny-mnist' \(N = 2\)/);
  throwsKit(() => run(['validate', '--solver', 'ddim', '--schedule', '0,3', '--experiment', tiny]), /position 1: model index 3 is out of range 0\.\.2/);
  throwsKit(() => run(['validate', '--solver', 'dpm-solver', '--schedule', '0,1,0', '--models', '3']), /group 0 .*packing rule violated/, /\[1, 0, 0\]/);
  throwsKit(() => run(['validate', '--solver', 'ddim', '--schedule', '1', '--models', '2', '--experiment', tiny]), /either --models or --experiment/);
  throwsKit(() => run(['validate', '--solver', 'ddim', '--schedule', '1', '--models', 'two']), /--models must be a positive integer/);
  // An unknown solver is rejected by the option parser with the allowed values.
  assert.throws(() => run(['validate', '--solver', 'plms', '--schedule', '1']), (e: unknown) => e instanceof CommanderError && /ddim, dpm-solver/.test(e.message));
});

test('cost: sums latencies of the experiment zoo; a missing latency file says to profile first', () => {
  const dir = tempDir('omsdpm-schedcost-');
  const file = path.join(dir, 'latency.json');
  fs.writeFileSync(file, JSON.stringify({ models: { a: { medianMs: 2.5 }, b: { medianMs: 10 } } }));
  const out = JSON.parse(run(['cost', '--experiment', tiny, '--solver', 'dpm-solver', '--schedule', '2,1,0,1,0,0', '--latency', file, '--json']));
  assert.equal(out.costMs, 10 + 2.5 + 2.5);
  assert.equal(out.nfe, 3);
  assert.deepEqual(out.models, [
    { model: 1, nfe: 2, latencyMs: 2.5, totalMs: 5, id: 'a' },
    { model: 2, nfe: 1, latencyMs: 10, totalMs: 10, id: 'b' },
  ]);
  assert.match(run(['cost', '--experiment', tiny, '--solver', 'ddim', '--schedule', '1,0,2', '--latency', file]), /cost 12\.500 ms per batch/);
  throwsKit(
    () => run(['cost', '--experiment', tiny, '--solver', 'ddim', '--schedule', '1', '--latency', path.join(dir, 'none.json')]),
    /latency file not found/,
    /oms-dpm profile-latency --experiment tiny-mnist/,
  );
});

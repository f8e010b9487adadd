/**
 * The EMA decay with warm-up, min(rate, (1 + step) / (10 + step)) at 0-based step `step`, and the
 * effective decay at the end of a run that the zoo table shows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emaDecay, finalEmaDecay } from '../../lib/diffusion/ema';
import { emaDecayText, zooTableFigure, type ZooModelResult } from '../../lib/figures/zoo-figures';

test('emaDecay: golden values of the warm-up, never above the rate', () => {
  assert.equal(emaDecay(0.999, true, 0), 0.1);
  assert.ok(Math.abs(emaDecay(0.999, true, 8990) - 0.999) <= 1e-12, 'reaches 0.999 at step 8990 (8991 / 9000)');
  assert.ok(Math.abs(emaDecay(0.999, true, 8991) - 0.999) <= 1e-12);
  assert.ok(emaDecay(0.999, true, 8989) < 0.999 - 1e-8, 'not before');
  assert.equal(emaDecay(0.999, true, 1e6), 0.999);
  assert.equal(emaDecay(0.999, false, 0), 0.999);
  for (const rate of [0.9, 0.999, 0.9999]) {
    for (let step = 0; step < 200000; step += 997) assert.ok(emaDecay(rate, true, step) <= rate, `rate ${rate}, step ${step}`);
  }
});

test('finalEmaDecay: the decay of the last update, steps / (steps + 9) with warm-up; the configs\' members never reach 0.999', () => {
  assert.equal(finalEmaDecay(0.999, true, 1), 0.1);
  assert.equal(finalEmaDecay(0.999, true, 1500), 1500 / 1509);
  assert.equal(finalEmaDecay(0.999, true, 3000), 3000 / 3009);
  assert.equal(finalEmaDecay(0.999, true, 4000), 4000 / 4009);
  assert.equal(finalEmaDecay(0.999, true, 1500).toFixed(4), '0.9940');
  assert.equal(finalEmaDecay(0.999, true, 3000).toFixed(4), '0.9970');
  assert.equal(finalEmaDecay(0.999, true, 4000).toFixed(4), '0.9978');
  assert.equal(finalEmaDecay(0.999, true, 8991), 0.999);
  assert.equal(finalEmaDecay(0.9999, false, 30), 0.9999);
  assert.throws(() => finalEmaDecay(0.999, true, 0), /positive integer/);
});

test('the zoo table shows the EMA decay at the end of each member\'s training', () => {
  assert.equal(emaDecayText({ rate: 0.999, warmup: true }, 4000), '0.9978 (warm-up; rate 0.999)');
  assert.equal(emaDecayText({ rate: 0.999, warmup: true }, 1500), '0.9940 (warm-up; rate 0.999)');
  assert.equal(emaDecayText({ rate: 0.999, warmup: true }, 20000), '0.9990 (warm-up done; rate 0.999)');
  assert.equal(emaDecayText({ rate: 0.9999, warmup: false }, 30), '0.9999 (constant)');
  assert.equal(emaDecayText({ rate: 0.99995, warmup: false }, 30), '0.99995 (constant)');
  assert.equal(emaDecayText(null, 30), '-');
  const row = (id: string, steps: number, ema: ZooModelResult['ema']): ZooModelResult => ({
    id, params: 1, steps, trainSeconds: 60, lossCurve: [], latencyMs: null, validationMse: null, bestFid: null, ema,
  });
  const fig = zooTableFigure('x', [row('t4', 4000, { rate: 0.999, warmup: true }), row('m16', 1500, { rate: 0.999, warmup: true }), row('p', 800000, { rate: 0.9999, warmup: false })], null);
  const table = fig.data[0] as { header: { values: string[] }; cells: { values: string[][] }; columnwidth: number[] };
  const col = table.header.values.indexOf('EMA decay at end of training');
  // after the columns other code indexes (id .. best FID), before the sample-quality columns
  assert.equal(col, 7);
  assert.equal(table.columnwidth.length, table.header.values.length);
  assert.deepEqual(table.cells.values[col], ['0.9978 (warm-up; rate 0.999)', '0.9940 (warm-up; rate 0.999)', '0.9999 (constant)']);
});

/**
 * The network evaluations a schedule implies, in calling order.
 *
 * Checked in the official code (jsttlgdkycy/OMS-DPM, code/diffusion/examples/ddpm_and_guided-diffusion):
 * - DDIM: Diffusion.sample_image in runners/diffusion.py (positions -> range(0, 1000, 1000 // L),
 *   zeros dropped) and generalized_steps in functions/denoising.py (highest timestep first, next
 *   timestep -1 = alpha 1 after the lowest); predictor/modules/predictor_utils.py
 *   get_timesteps_for_ddim uses the same arange.
 * - DPM-Solver: DPM_Solver.sample with method 'singlestep' and skip_type 'logSNR' (the defaults
 *   in main.py), get_orders_and_timesteps_for_model_schedule and get_time_steps (outer times
 *   uniform in lambda over the active steps), the singlestep updates (inner points at
 *   lambda_s + r h, r from uniform-lambda inner times: 1/2; 1/3, 2/3), noise_prediction_fn
 *   (model order), model_wrapper's type-1 time input, and the runner's t_end rule
 *   (1e-4 if the schedule's NFE >= 15 else 1e-3; predictor_utils.get_timesteps_for_dpm_solver agrees).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContinuousVpSchedule, LINEAR_VP } from '../../lib/diffusion/continuous-vp';
import { ddimSteps, dpmSolverEndTime, dpmSolverSteps, evaluations, nfe } from '../../lib/schedule/index';

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol;

test('DDIM: discrete timesteps from the highest active one down, order 1, no continuous t', () => {
  const entries = new Array(100).fill(0);
  entries[0] = 1;
  entries[50] = 3;
  entries[99] = 6;
  const evs = evaluations('ddim', entries);
  assert.deepEqual(evs, [
    { step: 0, order: 1, stage: 0, model: 6, position: 99, tInput: 990 },
    { step: 1, order: 1, stage: 0, model: 3, position: 50, tInput: 500 },
    { step: 2, order: 1, stage: 0, model: 1, position: 0, tInput: 0 },
  ]);
  assert.deepEqual(
    ddimSteps(entries).map((s) => [s.timestep, s.next]),
    [
      [990, 500],
      [500, 0],
      [0, -1],
    ],
  );
});

test('DDIM: stride floor(T / L) even when L does not divide T', () => {
  // L = 3: range(0, 1000, 333) = 0, 333, 666, (999 is never a position).
  assert.deepEqual(evaluations('ddim', [1, 2, 3]).map((e) => e.tInput), [666, 333, 0]);
  // L = 200 (CelebA default): stride 5.
  const e = new Array(200).fill(0);
  e[199] = 2;
  e[1] = 1;
  assert.deepEqual(evaluations('ddim', e).map((x) => [x.model, x.tInput]), [
    [2, 995],
    [1, 5],
  ]);
  // Another T.
  assert.deepEqual(evaluations('ddim', [1, 0, 2, 0], { timesteps: 100 }).map((x) => x.tInput), [50, 0]);
});

test('DPM-Solver: order 2, 1, 3 steps and a null group; models, stages and positions in calling order', () => {
  // Groups (left to right): [1,2,3] order 3, [0,0,0] null, [4,0,0] order 1, [5,6,0] order 2.
  const entries = [1, 2, 3, 0, 0, 0, 4, 0, 0, 5, 6, 0];
  const evs = evaluations('dpm-solver', entries);
  assert.equal(evs.length, nfe(entries));
  assert.deepEqual(
    evs.map((e) => [e.step, e.order, e.stage, e.model, e.position]),
    [
      [0, 2, 0, 6, 10],
      [0, 2, 1, 5, 9],
      [1, 1, 0, 4, 6],
      [2, 3, 0, 3, 2],
      [2, 3, 1, 2, 1],
      [2, 3, 2, 1, 0],
    ],
  );
});

test('DPM-Solver: times strictly decrease from t_T = 1 to t_0, outer steps and inner points uniform in lambda', () => {
  const entries = [1, 2, 3, 0, 0, 0, 4, 0, 0, 5, 6, 0];
  const steps = dpmSolverSteps(entries);
  const t0 = 1e-3; // 6 NFE < 15
  assert.equal(steps.length, 3);
  assert.equal(steps[0].s, 1);
  assert.equal(steps[steps.length - 1].t, t0);
  for (let i = 1; i < steps.length; i++) assert.equal(steps[i].s, steps[i - 1].t);

  // Outer lambdas are equally spaced between lambda(1) and lambda(t_0).
  const l1 = LINEAR_VP.lambda(1);
  const l0 = LINEAR_VP.lambda(t0);
  steps.forEach((s, i) => {
    assert.ok(close(LINEAR_VP.lambda(s.s), l1 + (i / 3) * (l0 - l1), 1e-9));
    assert.ok(close(LINEAR_VP.lambda(s.t), l1 + ((i + 1) / 3) * (l0 - l1), 1e-9));
  });

  // Inner points: lambda fractions 1/2 (order 2) and 1/3, 2/3 (order 3).
  const frac = (s: (typeof steps)[number], t: number) => (LINEAR_VP.lambda(t) - s.lambdaS) / (s.lambdaT - s.lambdaS);
  assert.deepEqual(steps.map((s) => s.order), [2, 1, 3]);
  assert.ok(close(frac(steps[0], steps[0].times[1]), 1 / 2));
  assert.ok(close(frac(steps[2], steps[2].times[1]), 1 / 3));
  assert.ok(close(frac(steps[2], steps[2].times[2]), 2 / 3));

  // Every evaluation: t strictly decreasing, in (t_0, 1], network input N * max(t - 1/N, 0).
  const evs = evaluations('dpm-solver', entries);
  assert.equal(evs[0].t, 1);
  assert.equal(evs[0].tInput, 999);
  for (let i = 0; i < evs.length; i++) {
    const t = evs[i].t as number;
    assert.ok(t > t0 && t <= 1);
    if (i > 0) assert.ok(t < (evs[i - 1].t as number), `t strictly decreasing at NFE ${i}`);
    assert.ok(close(evs[i].tInput, 1000 * Math.max(t - 1e-3, 0)));
  }
});

test('DPM-Solver: the position of null groups does not change the times, only the active groups do', () => {
  const a = evaluations('dpm-solver', [1, 2, 0, 3, 0, 0]);
  const b = evaluations('dpm-solver', [0, 0, 0, 1, 2, 0, 0, 0, 0, 3, 0, 0]);
  assert.deepEqual(a.map((e) => [e.model, e.t, e.order]), b.map((e) => [e.model, e.t, e.order]));
});

test('DPM-Solver: t_0 switches from 1e-3 to 1e-4 at NFE 15', () => {
  assert.equal(dpmSolverEndTime(14), 1e-3);
  assert.equal(dpmSolverEndTime(15), 1e-4);
  const order3Groups = (k: number) => Array.from({ length: k }, () => [1, 1, 1]).flat();
  const nfe14 = [...order3Groups(4), 1, 1, 0];
  const nfe15 = order3Groups(5);
  assert.equal(nfe(nfe14), 14);
  assert.equal(nfe(nfe15), 15);
  const last = (e: number[]) => dpmSolverSteps(e).slice(-1)[0].t;
  assert.equal(last(nfe14), 1e-3);
  assert.equal(last(nfe15), 1e-4);
  // 15 first-order steps: the smallest evaluated time is above t_0 = 1e-4.
  const steps15 = dpmSolverSteps(new Array(15).fill(0).flatMap(() => [2, 0, 0]));
  assert.equal(steps15[14].t, 1e-4);
  assert.ok(steps15[14].s > 1e-4);
  // Explicit end time overrides the rule.
  const custom = dpmSolverSteps(nfe15, { tEnd: 5e-3 });
  assert.equal(custom[custom.length - 1].t, 5e-3);
});

test('DPM-Solver: a single order-1 step goes from 1 to t_0 in one evaluation at t = 1', () => {
  const evs = evaluations('dpm-solver', [0, 0, 0, 4, 0, 0]);
  assert.deepEqual(evs, [{ step: 0, order: 1, stage: 0, model: 4, position: 3, t: 1, tInput: 999 }]);
  const vp = new ContinuousVpSchedule({ totalN: 100 });
  assert.ok(close(evaluations('dpm-solver', [4, 0, 0], { vp })[0].tInput, 99));
});

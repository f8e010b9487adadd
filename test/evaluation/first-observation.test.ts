import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ddimSingleModel, ddimSwitchAt, dpmSolverSingleModel } from '../../lib/evaluation/first-observation';
import { dpmSolverSteps, evaluations, validateSchedule } from '../../lib/schedule/index';
import { dpmSolverStepsForNfe, singlestepOrders } from '../../lib/samplers/dpm-solver';

test('single-model DDIM schedules are uniform DDIM: L active positions = timesteps 0, T/L, ...', () => {
  const s = ddimSingleModel(2, 10);
  assert.deepEqual(evaluations('ddim', s).map((e) => e.tInput), [900, 800, 700, 600, 500, 400, 300, 200, 100, 0]);
});

test('single-model DPM-Solver schedules use the usual order mix and the baseline sampler\'s times', () => {
  for (const n of [3, 5, 10, 12, 16]) {
    const s = dpmSolverSingleModel(1, n);
    validateSchedule('dpm-solver', s, 4);
    const steps = dpmSolverSteps(s);
    assert.deepEqual(steps.map((x) => x.order), singlestepOrders(n, 3, 'singlestep'), `orders at NFE ${n}`);
    const base = dpmSolverStepsForNfe(n);
    steps.forEach((st, i) => {
      assert.ok(Math.abs(st.s - base[i].s) < 1e-12 && Math.abs(st.t - base[i].t) < 1e-12, `NFE ${n} step ${i} times differ`);
    });
  }
});

test('switch schedules: the first k steps in calling order use the first model', () => {
  const s = ddimSwitchAt(1, 4, 6, 2);
  assert.deepEqual(evaluations('ddim', s).map((e) => e.model), [1, 1, 4, 4, 4, 4]);
  assert.deepEqual(evaluations('ddim', ddimSwitchAt(1, 4, 6, 0)).map((e) => e.model), [4, 4, 4, 4, 4, 4]);
});

/**
 * The continuous linear VP schedule that DPM-Solver uses for the DDPM zoo: closed forms, the
 * inverse of lambda, the continuous-to-network time mapping, and how closely it approximates the
 * discrete 1e-4..0.02 schedule the zoo is trained on.
 *
 * Official code checked: dpm_solver/sampler.py, class NoiseScheduleVP with schedule='linear'
 * (beta_0 = 0.1, beta_1 = 20; the runner builds it that way in runners/diffusion.py sample_image),
 * and model_wrapper's type-1 time input (the default), N * max(t - 1/N, 0) with N = 1000.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContinuousVpSchedule, LINEAR_VP } from '../../lib/diffusion/continuous-vp';
import { linearBetaSchedule } from '../../lib/diffusion/noise-schedule';

test('closed forms: log alpha, sigma, lambda at known points', () => {
  const vp = LINEAR_VP;
  assert.equal(vp.beta0, 0.1);
  assert.equal(vp.beta1, 20);
  // log alpha_1 = -(19.9)/4 - 0.05 = -5.025
  assert.ok(Math.abs(vp.logAlpha(1) - -5.025) < 1e-12);
  assert.ok(vp.logAlpha(0) === 0); // -0 or 0
  for (const t of [1e-4, 1e-3, 0.3, 1]) {
    const a = vp.alpha(t);
    const s = vp.sigma(t);
    assert.ok(Math.abs(a * a + s * s - 1) < 1e-12, `alpha^2 + sigma^2 = 1 at t = ${t}`);
    assert.ok(Math.abs(vp.lambda(t) - Math.log(a / s)) < 1e-9, `lambda = log(alpha / sigma) at t = ${t}`);
  }
  // lambda decreases in t.
  const ts = [1e-4, 1e-3, 0.01, 0.1, 0.5, 1];
  for (let i = 1; i < ts.length; i++) assert.ok(vp.lambda(ts[i]) < vp.lambda(ts[i - 1]));
});

test('inverse lambda round-trips over [1e-5, 1] and lambda over the sampling range', () => {
  const vp = LINEAR_VP;
  for (const t of [1e-5, 1e-4, 5e-4, 1e-3, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 1]) {
    const back = vp.inverseLambda(vp.lambda(t));
    assert.ok(Math.abs(back - t) <= 1e-10 * Math.max(1, t) + 1e-12, `t = ${t} -> ${back}`);
  }
  for (let lam = -5; lam <= 6; lam += 0.5) {
    assert.ok(Math.abs(vp.lambda(vp.inverseLambda(lam)) - lam) < 1e-9, `lambda = ${lam}`);
  }
  // Far outside the range the inverse stays finite and monotone.
  assert.ok(vp.inverseLambda(-30) > vp.inverseLambda(-5));
  assert.ok(vp.inverseLambda(30) > 0 && vp.inverseLambda(30) < 1e-20);
});

test('network time input: N * max(t - 1/N, 0)', () => {
  const vp = LINEAR_VP;
  assert.equal(vp.modelTimeInput(1), 999);
  assert.equal(vp.modelTimeInput(1e-3), 0);
  assert.equal(vp.modelTimeInput(5e-4), 0); // below 1/N it is clamped to the first index
  assert.ok(Math.abs(vp.modelTimeInput(0.5) - 499) < 1e-9);
  const small = new ContinuousVpSchedule({ totalN: 100 });
  assert.ok(Math.abs(small.modelTimeInput(1) - 99) < 1e-12);
});

test('fromDiscrete(1000, 1e-4, 0.02) is the paper schedule', () => {
  const vp = ContinuousVpSchedule.fromDiscrete(1000, 1e-4, 0.02);
  assert.ok(Math.abs(vp.beta0 - 0.1) < 1e-15 && Math.abs(vp.beta1 - 20) < 1e-12);
  assert.equal(vp.totalN, 1000);
  assert.throws(() => new ContinuousVpSchedule({ beta0: 1, beta1: 0.5 }), /beta_0 < beta_1/);
});

test('the continuous schedule approximates the discrete 1e-4..0.02 alpha_bar at t = (n + 1) / 1000', () => {
  const discrete = linearBetaSchedule(1000, 1e-4, 0.02);
  let maxAbs = 0;
  let maxLambda = 0;
  for (let n = 0; n < 1000; n++) {
    const t = (n + 1) / 1000;
    const a = discrete.alphasCumprod[n];
    maxAbs = Math.max(maxAbs, Math.abs(LINEAR_VP.alpha(t) ** 2 - a));
    maxLambda = Math.max(maxLambda, Math.abs(LINEAR_VP.lambda(t) - 0.5 * Math.log(a / (1 - a))));
  }
  // The discrete product carries an extra -sum beta^2 / 2 and a half-step offset; both are small.
  assert.ok(maxAbs < 1e-3, `max |alpha_t^2 - alpha_bar_n| = ${maxAbs}`);
  assert.ok(maxLambda < 0.06, `max |lambda_t - lambda_n| = ${maxLambda}`);
});

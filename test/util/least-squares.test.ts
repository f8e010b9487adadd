import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leastSquaresLine } from '../../lib/util/least-squares';

test('least-squares line: hand-computed fit, and null where x does not vary', () => {
  // x 0.3, 0.6, 0.9, 1.2; y 1, 2, 2, 3: Sxy 0.9 / Sxx 0.45 = slope 2, intercept 2 - 2 * 0.75, Syy 2
  const l = leastSquaresLine([0.3, 0.6, 0.9, 1.2], [1, 2, 2, 3])!;
  assert.ok(Math.abs(l.slope - 2) < 1e-12 && Math.abs(l.intercept - 0.5) < 1e-12 && Math.abs(l.syy - 2) < 1e-12);
  assert.equal(leastSquaresLine([1, 1, 1], [1, 2, 3]), null);
  assert.equal(leastSquaresLine([], []), null);
  assert.throws(() => leastSquaresLine([1, 2], [1]), /2 x values, 1 y values/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runConvGradientSelfCheck, CONV_GRAD_RELATIVE_TOLERANCE, UNET_CONV_CASES } from '../../lib/tfjs/gradient-self-check';

test('forward-conv Conv2D gradients on WASM match the cpu backend for every UNet conv shape', async () => {
  const results = await runConvGradientSelfCheck('wasm');
  assert.equal(results.length, UNET_CONV_CASES.length);
  for (const r of results) {
    assert.ok(
      r.maxRelErrInput <= CONV_GRAD_RELATIVE_TOLERANCE && r.maxRelErrFilter <= CONV_GRAD_RELATIVE_TOLERANCE,
      `${r.name}: dx rel err ${r.maxRelErrInput}, dW rel err ${r.maxRelErrFilter} (tolerance ${CONV_GRAD_RELATIVE_TOLERANCE})`,
    );
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planUNet, type UNetArch } from '../../lib/diffusion/unet-spec';
import { OnnxModel } from '../../lib/onnx/onnx-denoiser';
import { hwioToOihw, unetToOnnx, type GroupNormLowering } from '../../lib/onnx/unet-to-onnx';
import { isKitError } from '../../lib/util/errors';
import { assertClose, seeded, testWeights, tfjsEps, useCpuBackend } from './helpers';

/**
 * The exported ONNX UNet on ONNX Runtime (1 intra-op thread) against the kit's TF.js forward pass
 * on the `cpu` backend, for the architecture features the zoo uses, at tiny sizes. One file serves
 * batch 3 (per-image times) and batch 1 (dynamic batch dimension). Tolerance: see helpers.ts.
 */
const base = { numResBlocks: 1, dropout: 0.1, resamplingConv: true } as const;
const CASES: { label: string; arch: UNetArch }[] = [
  {
    label: 'attention at 4x4, stride-2 conv downsampling',
    arch: { ...base, ch: 4, chMult: [1, 2], attnResolutions: [4], groupNormGroups: 2, imageSize: 8, inChannels: 2, outChannels: 2 },
  },
  {
    label: 'avgpool resampling (resamplingConv false), odd multiplier 3, odd ch 5 (padded embedding), attention at full resolution',
    arch: { ...base, ch: 5, chMult: [1, 3], attnResolutions: [8], groupNormGroups: 5, resamplingConv: false, imageSize: 8, inChannels: 1, outChannels: 1 },
  },
  {
    label: 'mnist zoo shape (ch 8, [1,2,2], no attention), 12x12 so the last level is 3x3',
    arch: { ...base, ch: 8, chMult: [1, 2, 2], attnResolutions: [], groupNormGroups: 4, imageSize: 12, inChannels: 1, outChannels: 1 },
  },
  {
    label: 'cifar10 zoo shape ([1,2,2,2], 2 res blocks, attention at 8), one channel per group',
    arch: { ...base, ch: 8, chMult: [1, 2, 2, 2], numResBlocks: 2, attnResolutions: [8], groupNormGroups: 8, imageSize: 16, inChannels: 3, outChannels: 3 },
  },
  {
    label: 'imagenet64 zoo shape ([1,2,3,4], attention at 4 and 2)',
    arch: { ...base, ch: 4, chMult: [1, 2, 3, 4], attnResolutions: [4, 2], groupNormGroups: 4, imageSize: 16, inChannels: 3, outChannels: 3 },
  },
];

async function checkCase(arch: UNetArch, seed: number, groupNorm: GroupNormLowering, diag: (m: string) => void): Promise<void> {
  const plan = planUNet(arch);
  const weights = testWeights(plan, seed);
  const bytes = unetToOnnx(plan, weights, { weightsSha256: 'test' }, { groupNorm });
  const model = await OnnxModel.fromBytes(bytes, `test model (${groupNorm})`, {}, { intraOpNumThreads: 1 });
  try {
    const d = arch.imageSize * arch.imageSize * arch.inChannels;
    const x3 = seeded(3 * d, seed + 1, 1.5);
    const t3 = [0, 123.4, 999];
    const r3 = assertClose(await model.run(x3, 3, t3), tfjsEps(plan, weights, x3, 3, t3), `batch 3 (${groupNorm})`);
    const x1 = seeded(d, seed + 2, 1);
    const r1 = assertClose(await model.run(x1, 1, 640), tfjsEps(plan, weights, x1, 1, [640]), `batch 1 (${groupNorm})`);
    diag(`${groupNorm}: batch 3 max|diff| ${r3.diff.toExponential(2)} (max|ref| ${r3.scale.toFixed(3)}), batch 1 ${r1.diff.toExponential(2)} (max|ref| ${r1.scale.toFixed(3)})`);
  } finally {
    await model.release();
  }
}

CASES.forEach(({ label, arch }, i) => {
  test(`ONNX Runtime matches TF.js: ${label}`, async (t) => {
    await useCpuBackend();
    await checkCase(arch, 10 * (i + 1), 'instance-norm', (m) => t.diagnostic(m));
  });
});

test('the ReduceMean lowering of GroupNorm matches TF.js too', async (t) => {
  await useCpuBackend();
  await checkCase(CASES[0].arch, 77, 'reduce-mean', (m) => t.diagnostic(m));
});

test('HWIO -> OIHW moves every weight to its ONNX position', () => {
  // w[y][x][i][o] = 1000y + 100x + 10i + o for a 2x3 kernel, 2 in, 4 out
  const kh = 2, kw = 3, ci = 2, co = 4;
  const hwio = new Float32Array(kh * kw * ci * co);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) hwio[((y * kw + x) * ci + i) * co + o] = 1000 * y + 100 * x + 10 * i + o;
  const oihw = hwioToOihw(hwio, kh, kw, ci, co);
  for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) assert.equal(oihw[((o * ci + i) * kh + y) * kw + x], 1000 * y + 100 * x + 10 * i + o);
});

test('weights that do not fit the architecture are refused with a KitError', () => {
  const plan = planUNet(CASES[0].arch);
  const weights = testWeights(plan, 1);
  const missing = new Map(weights);
  missing.delete('mid.attn.q.w');
  assert.throws(() => unetToOnnx(plan, missing, { weightsSha256: 'x' }), (e: unknown) => isKitError(e) && /mid\.attn\.q\.w.*missing/.test((e as Error).message));
  const wrong = new Map(weights);
  wrong.set('conv_in.w', { shape: [3, 3, 1, 4], data: new Float32Array(36) });
  assert.throws(() => unetToOnnx(plan, wrong, { weightsSha256: 'x' }), /conv_in\.w.*shape \[3,3,1,4\]/);
});

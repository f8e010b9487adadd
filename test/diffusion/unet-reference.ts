/**
 * The straightforward DDPM UNet forward pass, op by op, differentiated by TF.js autodiff: the
 * reference the optimised lib/diffusion/unet.ts is checked against (test/diffusion/unet-optimised.test.ts).
 * Same parameters, same plan, same math; no fused kernels or hand-written gradients.
 *
 *   x: [B, H, W, C], t: [B] discrete timesteps (float) -> eps: [B, H, W, C]
 */
import { dropout } from '../../lib/tfjs/dropout-mask';
import * as tf from '@tensorflow/tfjs';
import type { ForwardOptions, Params } from '../../lib/diffusion/unet';
import type { UNetPlan, ResBlockPlan } from '../../lib/diffusion/unet-spec';

const GROUPNORM_EPS = 1e-6;

function p(params: Params, name: string): tf.Tensor {
  const v = params[name];
  if (!v) throw new Error(`UNet parameter '${name}' is missing`);
  return v;
}

/** Sinusoidal embedding of timesteps, [B] -> [B, dim] (sin half then cos half, as in DDPM). */
function timestepEmbedding(t: tf.Tensor1D, dim: number): tf.Tensor2D {
  return tf.tidy(() => {
    const half = Math.floor(dim / 2);
    const scale = Math.log(10000) / (half - 1);
    const freqs = new Float32Array(half);
    for (let i = 0; i < half; i++) freqs[i] = Math.exp(-scale * i);
    const args = tf.mul(tf.reshape(t, [-1, 1]), tf.tensor2d(freqs, [1, half]));
    let emb = tf.concat([tf.sin(args), tf.cos(args)], 1) as tf.Tensor2D;
    if (dim % 2 === 1) emb = tf.pad(emb, [[0, 0], [0, 1]]);
    return emb;
  });
}

function swish(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

function dense(params: Params, name: string, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(x, p(params, `${name}.w`) as tf.Tensor2D), p(params, `${name}.b`)) as tf.Tensor2D;
}

function conv(params: Params, name: string, x: tf.Tensor4D, stride = 1, pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] = 'same'): tf.Tensor4D {
  const w = p(params, `${name}.w`) as tf.Tensor4D;
  return tf.add(tf.conv2d(x, w, stride, pad), p(params, `${name}.b`)) as tf.Tensor4D;
}

/**
 * GroupNorm over (H, W, C/G) per group, then per-channel affine, written so that only two
 * full-size broadcasting ops touch the activation: y = x * scale + shift with
 * scale = gamma / sqrt(var + eps) and shift = beta - mean * scale, both [B,1,1,C].
 * The statistics use var = E[x^2] - E[x]^2 (one fewer full-size pass than E[(x - mean)^2];
 * activations here are O(1), so float32 cancellation is negligible; clamped at 0).
 */
function groupNorm(params: Params, name: string, x: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const g = groups;
  const x3 = tf.reshape(x, [b, h * w, c]);
  const chMean = tf.mean(x3, 1, true); // [B,1,C]
  const chMeanSq = tf.mean(tf.square(x3), 1, true);
  const mean = tf.mean(tf.reshape(chMean, [b, 1, g, c / g]), 3, true); // [B,1,G,1]
  const meanSq = tf.mean(tf.reshape(chMeanSq, [b, 1, g, c / g]), 3, true);
  const variance = tf.relu(tf.sub(meanSq, tf.square(mean)));
  const inv = tf.rsqrt(tf.add(variance, GROUPNORM_EPS)); // [B,1,G,1]
  const gamma = tf.reshape(p(params, `${name}.gamma`), [1, 1, g, c / g]);
  const beta = tf.reshape(p(params, `${name}.beta`), [1, 1, g, c / g]);
  const scale = tf.mul(inv, gamma); // [B,1,G,C/G]
  const shift = tf.sub(beta, tf.mul(mean, scale));
  return tf.add(tf.mul(x, tf.reshape(scale, [b, 1, 1, c])), tf.reshape(shift, [b, 1, 1, c])) as tf.Tensor4D;
}

function resBlock(params: Params, plan: UNetPlan, blk: ResBlockPlan, x: tf.Tensor4D, temb: tf.Tensor2D, opts: ForwardOptions, seed: number): tf.Tensor4D {
  const g = plan.arch.groupNormGroups;
  let h = conv(params, `${blk.prefix}.conv1`, swish(groupNorm(params, `${blk.prefix}.norm1`, x, g)) as tf.Tensor4D);
  const tproj = dense(params, `${blk.prefix}.temb`, swish(temb) as tf.Tensor2D);
  h = tf.add(h, tf.reshape(tproj, [tproj.shape[0], 1, 1, blk.cout])) as tf.Tensor4D;
  h = swish(groupNorm(params, `${blk.prefix}.norm2`, h, g)) as tf.Tensor4D;
  // the kit's dropout mask (a constant of the graph, engine/dropout-mask.ts), so both sides drop the same elements
  if (opts.training && plan.arch.dropout > 0) h = dropout(h, plan.arch.dropout, seed);
  h = conv(params, `${blk.prefix}.conv2`, h);
  const skip = blk.cin !== blk.cout ? conv(params, `${blk.prefix}.skip`, x, 1, 'valid') : x;
  return tf.add(skip, h) as tf.Tensor4D;
}

function attnBlock(params: Params, plan: UNetPlan, prefix: string, x: tf.Tensor4D): tf.Tensor4D {
  const [b, hh, ww, c] = x.shape;
  const n = hh * ww;
  const hn = groupNorm(params, `${prefix}.norm`, x, plan.arch.groupNormGroups);
  const q = tf.reshape(conv(params, `${prefix}.q`, hn, 1, 'valid'), [b, n, c]);
  const k = tf.reshape(conv(params, `${prefix}.k`, hn, 1, 'valid'), [b, n, c]);
  const v = tf.reshape(conv(params, `${prefix}.v`, hn, 1, 'valid'), [b, n, c]);
  const w = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(c)));
  const o = tf.reshape(tf.matMul(w, v), [b, hh, ww, c]) as tf.Tensor4D;
  return tf.add(x, conv(params, `${prefix}.proj`, o, 1, 'valid')) as tf.Tensor4D;
}

/**
 * Nearest-neighbour x2 upsampling with concat and reshape only: duplicating channels then
 * reshaping repeats each pixel along W, duplicating rows along W then reshaping repeats along H.
 * (TF.js has no rank-6 Tile gradient, and WASM lacks nothing here.)  [B,H,W,C] -> [B,2H,2W,C]
 */
function upsampleNearest2x(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const wide = tf.reshape(tf.concat([x, x], 3), [b, h, 2 * w, c]);
  return tf.reshape(tf.concat([wide, wide], 2), [b, 2 * h, 2 * w, c]);
}

function downsample(params: Params, plan: UNetPlan, name: string, x: tf.Tensor4D): tf.Tensor4D {
  if (plan.arch.resamplingConv) return conv(params, name, x, 2, [[0, 0], [0, 1], [0, 1], [0, 0]]);
  return tf.avgPool(x, 2, 2, 'valid');
}

/** eps_theta(x_t, t). Call inside tf.tidy (or let the caller dispose the result). */
export function unetForwardReference(params: Params, plan: UNetPlan, x: tf.Tensor4D, t: tf.Tensor1D, opts: ForwardOptions): tf.Tensor4D {
  return tf.tidy(() => {
    const ch = plan.arch.ch;
    let temb = timestepEmbedding(t, ch);
    temb = dense(params, 'temb.dense1', swish(dense(params, 'temb.dense0', temb)) as tf.Tensor2D);
    let seedCounter = opts.dropoutSeed ?? 0;
    const nextSeed = () => (seedCounter = (seedCounter * 1103515245 + 12345) % 2147483647);

    let h = conv(params, 'conv_in', x);
    const hs: tf.Tensor4D[] = [h];
    for (const level of plan.down) {
      for (const { block, attn } of level.blocks) {
        h = resBlock(params, plan, block, h, temb, opts, nextSeed());
        if (attn) h = attnBlock(params, plan, attn, h);
        hs.push(h);
      }
      if (level.downsample) {
        h = downsample(params, plan, level.downsample, h);
        hs.push(h);
      }
    }
    h = resBlock(params, plan, plan.mid.block1, h, temb, opts, nextSeed());
    h = attnBlock(params, plan, plan.mid.attn, h);
    h = resBlock(params, plan, plan.mid.block2, h, temb, opts, nextSeed());
    for (const level of plan.up) {
      for (const { block, attn } of level.blocks) {
        const skip = hs.pop();
        if (!skip) throw new Error('UNet forward: skip stack empty');
        h = resBlock(params, plan, block, tf.concat([h, skip], 3) as tf.Tensor4D, temb, opts, nextSeed());
        if (attn) h = attnBlock(params, plan, attn, h);
      }
      if (level.upsample) {
        h = upsampleNearest2x(h);
        if (plan.arch.resamplingConv) h = conv(params, level.upsample, h);
      }
    }
    h = swish(groupNorm(params, 'out.norm', h, plan.arch.groupNormGroups)) as tf.Tensor4D;
    return conv(params, 'out.conv', h);
  });
}

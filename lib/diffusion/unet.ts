/**
 * The DDPM UNet forward pass in TF.js (NHWC), following the plan in unet-spec.ts:
 * sinusoidal timestep embedding -> MLP; conv_in; down levels of ResBlocks (+ attention) and
 * stride-2 downsampling; middle ResBlock-Attention-ResBlock; up levels with skip concatenation and
 * nearest upsampling; GroupNorm, swish, conv_out. Predicts epsilon.
 *
 * Written for speed on the WASM backend, where a full-size elementwise op costs ~2 ms at batch 128
 * and many gradients cost several: convolutions carry their bias in one FusedConv2D kernel
 * (engine/conv-bias.ts), GroupNorm + swish is one op with an analytic gradient (engine/group-norm.ts),
 * and the skip concatenation and the upsampling use ops whose gradients avoid WASM's row-by-row
 * slicing (engine/channel-concat.ts, engine/upsample-nearest.ts). The math is that of the op-by-op
 * network; test/diffusion/unet-optimised.test.ts checks outputs and gradients against it.
 *
 *   x: [B, H, W, C] in [-1, 1]-scaled units, t: [B] discrete timesteps (float) -> eps: [B, H, W, C]
 */
import * as tf from '@tensorflow/tfjs';
import { concatChannels } from '../tfjs/channel-concat';
import { convBias, type ConvPad } from '../tfjs/conv-bias';
import { dropout } from '../tfjs/dropout-mask';
import { groupNorm } from '../tfjs/group-norm';
import { upsampleNearest2x } from '../tfjs/upsample-nearest';
import type { UNetPlan, ResBlockPlan } from './unet-spec';

export type Params = Record<string, tf.Tensor>;

export interface ForwardOptions {
  /** Dropout on (training). */
  training: boolean;
  /** Base seed for this call's dropout masks (training only). */
  dropoutSeed?: number;
}

const GROUPNORM_EPS = 1e-6;

function p(params: Params, name: string): tf.Tensor {
  const v = params[name];
  if (!v) throw new Error(`UNet parameter '${name}' is missing`);
  return v;
}

/** Sinusoidal embedding of timesteps, [B] -> [B, dim] (sin half then cos half, as in DDPM). */
export function timestepEmbedding(t: tf.Tensor1D, dim: number): tf.Tensor2D {
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

function conv(params: Params, name: string, x: tf.Tensor4D, stride = 1, pad: ConvPad = 'same'): tf.Tensor4D {
  return convBias(x, p(params, `${name}.w`) as tf.Tensor4D, p(params, `${name}.b`) as tf.Tensor1D, stride, pad);
}

/** GroupNorm with the layer's affine parameters, followed by swish when `act`. */
function norm(params: Params, plan: UNetPlan, name: string, x: tf.Tensor4D, act: boolean): tf.Tensor4D {
  const gamma = p(params, `${name}.gamma`) as tf.Tensor1D;
  const beta = p(params, `${name}.beta`) as tf.Tensor1D;
  return groupNorm(x, gamma, beta, plan.arch.groupNormGroups, GROUPNORM_EPS, act);
}

function resBlock(params: Params, plan: UNetPlan, blk: ResBlockPlan, x: tf.Tensor4D, temb: tf.Tensor2D, opts: ForwardOptions, seed: number): tf.Tensor4D {
  let h = conv(params, `${blk.prefix}.conv1`, norm(params, plan, `${blk.prefix}.norm1`, x, true));
  const tproj = dense(params, `${blk.prefix}.temb`, swish(temb) as tf.Tensor2D);
  h = tf.add(h, tf.reshape(tproj, [tproj.shape[0], 1, 1, blk.cout])) as tf.Tensor4D;
  h = norm(params, plan, `${blk.prefix}.norm2`, h, true);
  if (opts.training && plan.arch.dropout > 0) h = dropout(h, plan.arch.dropout, seed);
  h = conv(params, `${blk.prefix}.conv2`, h);
  const skip = blk.cin !== blk.cout ? conv(params, `${blk.prefix}.skip`, x, 1, 'valid') : x;
  return tf.add(skip, h) as tf.Tensor4D;
}

function attnBlock(params: Params, plan: UNetPlan, prefix: string, x: tf.Tensor4D): tf.Tensor4D {
  const [b, hh, ww, c] = x.shape;
  const n = hh * ww;
  const hn = norm(params, plan, `${prefix}.norm`, x, false);
  const q = tf.reshape(conv(params, `${prefix}.q`, hn, 1, 'valid'), [b, n, c]);
  const k = tf.reshape(conv(params, `${prefix}.k`, hn, 1, 'valid'), [b, n, c]);
  const v = tf.reshape(conv(params, `${prefix}.v`, hn, 1, 'valid'), [b, n, c]);
  const w = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(c)));
  const o = tf.reshape(tf.matMul(w, v), [b, hh, ww, c]) as tf.Tensor4D;
  return tf.add(x, conv(params, `${prefix}.proj`, o, 1, 'valid')) as tf.Tensor4D;
}

function downsample(params: Params, plan: UNetPlan, name: string, x: tf.Tensor4D): tf.Tensor4D {
  if (plan.arch.resamplingConv) return conv(params, name, x, 2, [[0, 0], [0, 1], [0, 1], [0, 0]]);
  return tf.avgPool(x, 2, 2, 'valid');
}

/** eps_theta(x_t, t). Call inside tf.tidy (or let the caller dispose the result). */
export function unetForward(params: Params, plan: UNetPlan, x: tf.Tensor4D, t: tf.Tensor1D, opts: ForwardOptions): tf.Tensor4D {
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
        h = resBlock(params, plan, block, concatChannels(h, skip), temb, opts, nextSeed());
        if (attn) h = attnBlock(params, plan, attn, h);
      }
      if (level.upsample) {
        h = upsampleNearest2x(h);
        if (plan.arch.resamplingConv) h = conv(params, level.upsample, h);
      }
    }
    h = norm(params, plan, 'out.norm', h, true);
    return conv(params, 'out.conv', h);
  });
}

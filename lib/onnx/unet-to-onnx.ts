/**
 * The kit's UNet (unet-spec.ts plan + host weights) written as an ONNX model, so sampling can run
 * on ONNX Runtime's CPU kernels (MLAS convolutions, multi-threaded, NCHWc layout) instead of TF.js.
 *
 *   inputs   x [N,H,W,C] float32 (NHWC, as everywhere in the kit), t [N] float32 network time input
 *   output   eps [N,H,W,C] float32
 *   N is a symbolic dimension: one file serves every batch size.
 *
 * The graph is the math of lib/diffusion/unet.ts, op for op, in NCHW (ONNX's convolution layout):
 * x is transposed on entry and eps on exit, convolution weights go HWIO -> OIHW. Choices made for
 * ONNX Runtime's CPU execution provider:
 *   - GroupNorm is lowered to Reshape [N,G,-1] -> InstanceNormalization (unit scale, zero bias) ->
 *     Reshape back -> per-channel Mul/Add, the form PyTorch exports. 'reduce-mean'
 *     (ReduceMean/Sub/Mul/Sqrt/Div) is the alternative lowering; both are tested against TF.js, and
 *     InstanceNormalization was ~5-10% faster per forward (ch-16 MNIST UNet, batch 32, 1 thread).
 *     (Opset 18's GroupNormalization op changed meaning in opset 21 and ORT's CPU provider expands
 *     it into primitives anyway.)
 *   - swish is written x * Sigmoid(x), which ORT fuses into one kernel (QuickGelu, alpha 1).
 *   - Attention computes q, k, v with one 1x1 convolution of 3C outputs (one pass over the input
 *     instead of three) and folds the 1/sqrt(C) logit scale into q's weights and bias.
 *   - Downsampling's asymmetric (0,1) padding is the Conv's own `pads`, not a separate Pad node.
 *   - Nearest x2 upsampling is Resize (asymmetric coordinates, floor), an exact pixel repeat.
 *   - The timestep embedding (sinusoids of t, dense, swish, dense) is computed in the graph from
 *     t, and swish(temb) once for all residual blocks.
 * Dropout is absent: the export is for inference only.
 */
import type { UNetArch, UNetPlan, ResBlockPlan } from '../diffusion/unet-spec';
import { KitError } from '../util/errors';
import { OnnxGraphBuilder, type GraphIO } from './graph-builder';
import { exportMetadata, kitVersion, type OnnxExportIdentity } from './onnx-metadata';

/** Host weights by parameter name, in the kit's layouts (conv HWIO, dense [in,out]). */
export type HostWeights = ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>;

export type GroupNormLowering = 'instance-norm' | 'reduce-mean';

export interface UNetOnnxOptions {
  /** How GroupNorm is written; default 'instance-norm' (the faster on ORT's CPU provider). */
  groupNorm?: GroupNormLowering;
}

const GROUPNORM_EPS = 1e-6;

/** An NCHW activation in the graph with its static channel and spatial sizes (only N is dynamic). */
interface Feat { name: string; c: number; h: number; w: number }

/** [kh,kw,cin,cout] (TF.js HWIO) -> [cout,cin,kh,kw] (ONNX OIHW). */
export function hwioToOihw(data: Float32Array, kh: number, kw: number, cin: number, cout: number, scale = 1): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        const src = ((y * kw + x) * cin + i) * cout;
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = data[src + o] * scale;
      }
    }
  }
  return out;
}

/** Every parameter the plan names must be present with its planned shape: the export never guesses. */
function checkWeights(plan: UNetPlan, weights: HostWeights): void {
  for (const spec of plan.params) {
    const w = weights.get(spec.name);
    if (!w) {
      throw new KitError(`cannot export the UNet to ONNX: parameter '${spec.name}' is missing from the weights`, {
        hint: 'the weights do not belong to this architecture; export the weights the config trained',
      });
    }
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (w.shape.join(',') !== spec.shape.join(',') || w.data.length !== n) {
      throw new KitError(`cannot export the UNet to ONNX: parameter '${spec.name}' has shape [${w.shape}] (${w.data.length} values), the architecture needs [${spec.shape}]`, {
        hint: 'the weights do not belong to this architecture; export the weights the config trained',
      });
    }
  }
}

/** Writes the graph; one method per layer kind, mirroring unet.ts. */
class UNetOnnxWriter {
  readonly g = new OnnxGraphBuilder();
  private swishTemb = '';

  constructor(
    private readonly plan: UNetPlan,
    private readonly weights: HostWeights,
    private readonly gnLowering: GroupNormLowering,
  ) {}

  private arr(name: string): Float32Array {
    const w = this.weights.get(name);
    if (!w) throw new Error(`UNet export: parameter '${name}' is missing`); // checkWeights ran first
    return w.data;
  }

  private swish(x: string, base: string): string {
    return this.g.op('Mul', [x, this.g.op('Sigmoid', [x], {}, `${base}.sig`)], {}, `${base}.swish`);
  }

  /** Convolution with bias; `pads` is ONNX's [top, left, bottom, right]. */
  private conv(name: string, x: Feat, k: number, cout: number, stride = 1, pads?: number[]): Feat {
    const w = this.g.float(`${name}.w`, [cout, x.c, k, k], hwioToOihw(this.arr(`${name}.w`), k, k, x.c, cout));
    const b = this.g.float(`${name}.b`, [cout], this.arr(`${name}.b`));
    const p = pads ?? (k === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0]);
    const out = this.g.op('Conv', [x.name, w, b], { kernel_shape: [k, k], strides: [stride, stride], pads: p, dilations: [1, 1], group: 1 }, name);
    const h = Math.floor((x.h + p[0] + p[2] - k) / stride) + 1;
    const ww = Math.floor((x.w + p[1] + p[3] - k) / stride) + 1;
    return { name: out, c: cout, h, w: ww };
  }

  private dense(name: string, x: string, cin: number, cout: number): string {
    const w = this.g.float(`${name}.w`, [cin, cout], this.arr(`${name}.w`));
    const b = this.g.float(`${name}.b`, [cout], this.arr(`${name}.b`));
    return this.g.op('Gemm', [x, w, b], {}, name);
  }

  /** GroupNorm over (C/G, H, W) per image and group, per-channel affine, then swish when `act`. */
  private groupNorm(name: string, x: Feat, act: boolean): Feat {
    const G = this.plan.arch.groupNormGroups;
    if (x.c % G !== 0) throw new KitError(`GroupNorm ${name}: ${x.c} channels are not divisible into ${G} groups`, { hint: 'choose groupNormGroups dividing every channel count' });
    const grouped = this.g.op('Reshape', [x.name, this.g.int64([0, G, -1])], {}, `${name}.grouped`);
    let normed: string;
    if (this.gnLowering === 'instance-norm') {
      const ones = this.g.float(`${name}.unit_scale`, [G], new Float32Array(G).fill(1));
      const zeros = this.g.float(`${name}.zero_bias`, [G], new Float32Array(G));
      normed = this.g.op('InstanceNormalization', [grouped, ones, zeros], { epsilon: { f: GROUPNORM_EPS } }, `${name}.in`);
    } else {
      const mean = this.g.op('ReduceMean', [grouped], { axes: [2], keepdims: 1 }, `${name}.mean`);
      const d = this.g.op('Sub', [grouped, mean], {}, `${name}.centred`);
      const variance = this.g.op('ReduceMean', [this.g.op('Mul', [d, d], {}, `${name}.sq`)], { axes: [2], keepdims: 1 }, `${name}.var`);
      const eps = this.g.float(`${name}.eps`, [], new Float32Array([GROUPNORM_EPS]));
      const std = this.g.op('Sqrt', [this.g.op('Add', [variance, eps], {}, `${name}.var_eps`)], {}, `${name}.std`);
      normed = this.g.op('Div', [d, std], {}, `${name}.normed`);
    }
    const back = this.g.op('Reshape', [normed, this.g.int64([0, x.c, x.h, x.w])], {}, `${name}.ungrouped`);
    const gamma = this.g.float(`${name}.gamma`, [x.c, 1, 1], this.arr(`${name}.gamma`));
    const beta = this.g.float(`${name}.beta`, [x.c, 1, 1], this.arr(`${name}.beta`));
    const y = this.g.op('Add', [this.g.op('Mul', [back, gamma], {}, `${name}.scaled`), beta], {}, `${name}.out`);
    return { ...x, name: act ? this.swish(y, name) : y };
  }

  /** temb = dense1(swish(dense0(sinusoids(t)))); keeps swish(temb), the only form the blocks read. */
  timestepEmbedding(t: string): void {
    const { ch } = this.plan.arch;
    const half = Math.floor(ch / 2);
    const scale = Math.log(10000) / (half - 1);
    const freqs = new Float32Array(half);
    for (let i = 0; i < half; i++) freqs[i] = Math.exp(-scale * i);
    const t2 = this.g.op('Unsqueeze', [t, this.g.int64([1])], {}, 'temb.t');
    const args = this.g.op('Mul', [t2, this.g.float('temb.freqs', [1, half], freqs)], {}, 'temb.args');
    let emb = this.g.op('Concat', [this.g.op('Sin', [args], {}, 'temb.sin'), this.g.op('Cos', [args], {}, 'temb.cos')], { axis: 1 }, 'temb.sinusoids');
    if (ch % 2 === 1) emb = this.g.op('Pad', [emb, this.g.int64([0, 0, 0, 1])], { mode: 'constant' }, 'temb.padded');
    const h = this.swish(this.dense('temb.dense0', emb, ch, this.plan.tembDim), 'temb.dense0');
    const temb = this.dense('temb.dense1', h, this.plan.tembDim, this.plan.tembDim);
    this.swishTemb = this.swish(temb, 'temb');
  }

  resBlock(blk: ResBlockPlan, x: Feat): Feat {
    const p = blk.prefix;
    let h = this.conv(`${p}.conv1`, this.groupNorm(`${p}.norm1`, x, true), 3, blk.cout);
    const tproj = this.dense(`${p}.temb`, this.swishTemb, this.plan.tembDim, blk.cout);
    const t4 = this.g.op('Unsqueeze', [tproj, this.g.int64([2, 3])], {}, `${p}.temb4`);
    h = { ...h, name: this.g.op('Add', [h.name, t4], {}, `${p}.plus_temb`) };
    h = this.conv(`${p}.conv2`, this.groupNorm(`${p}.norm2`, h, true), 3, blk.cout);
    const skip = blk.cin !== blk.cout ? this.conv(`${p}.skip`, x, 1, blk.cout) : x;
    return { ...h, name: this.g.op('Add', [skip.name, h.name], {}, `${p}.out`) };
  }

  attn(prefix: string, x: Feat): Feat {
    const { c, h, w } = x;
    const n = h * w;
    const hn = this.groupNorm(`${prefix}.norm`, x, false);
    // q, k, v as one 1x1 convolution with 3C outputs, q pre-scaled by 1/sqrt(C)
    const qkvW = new Float32Array(3 * c * c);
    const qkvB = new Float32Array(3 * c);
    ['q', 'k', 'v'].forEach((part, i) => {
      const s = part === 'q' ? 1 / Math.sqrt(c) : 1;
      qkvW.set(hwioToOihw(this.arr(`${prefix}.${part}.w`), 1, 1, c, c, s), i * c * c);
      this.arr(`${prefix}.${part}.b`).forEach((v, j) => (qkvB[i * c + j] = v * s));
    });
    const qkv = this.g.op(
      'Conv',
      [hn.name, this.g.float(`${prefix}.qkv.w`, [3 * c, c, 1, 1], qkvW), this.g.float(`${prefix}.qkv.b`, [3 * c], qkvB)],
      { kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 },
      `${prefix}.qkv`,
    );
    const flat = this.g.op('Reshape', [qkv, this.g.int64([0, 3 * c, n])], {}, `${prefix}.qkv_flat`);
    const [q, k, v] = this.g.opN('Split', [flat, this.g.int64([c, c, c])], 3, { axis: 1 }, `${prefix}.split`);
    const qT = this.g.op('Transpose', [q], { perm: [0, 2, 1] }, `${prefix}.qT`); // [N, HW, C]
    const logits = this.g.op('MatMul', [qT, k], {}, `${prefix}.logits`); // [N, HW_i, HW_j]
    const weights = this.g.op('Softmax', [logits], { axis: 2 }, `${prefix}.weights`);
    const wT = this.g.op('Transpose', [weights], { perm: [0, 2, 1] }, `${prefix}.weightsT`);
    const o = this.g.op('MatMul', [v, wT], {}, `${prefix}.mixed`); // [N, C, HW]: o[c,i] = sum_j v[c,j] w[i,j]
    const o4: Feat = { ...x, name: this.g.op('Reshape', [o, this.g.int64([0, c, h, w])], {}, `${prefix}.mixed4`) };
    const proj = this.conv(`${prefix}.proj`, o4, 1, c);
    return { ...x, name: this.g.op('Add', [x.name, proj.name], {}, `${prefix}.out`) };
  }

  downsample(name: string, x: Feat): Feat {
    if (this.plan.arch.resamplingConv) return this.conv(name, x, 3, x.c, 2, [0, 0, 1, 1]);
    const out = this.g.op('AveragePool', [x.name], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceil_mode: 0 }, `${name}.avgpool`);
    return { name: out, c: x.c, h: Math.floor((x.h - 2) / 2) + 1, w: Math.floor((x.w - 2) / 2) + 1 };
  }

  upsample(name: string, x: Feat): Feat {
    const scales = this.g.float(`${name}.scales`, [4], new Float32Array([1, 1, 2, 2]));
    const up = this.g.op('Resize', [x.name, '', scales], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, `${name}.nearest`);
    const f: Feat = { name: up, c: x.c, h: 2 * x.h, w: 2 * x.w };
    return this.plan.arch.resamplingConv ? this.conv(name, f, 3, x.c) : f;
  }

  concat(a: Feat, b: Feat, base: string): Feat {
    if (a.h !== b.h || a.w !== b.w) throw new Error(`UNet export: skip ${b.h}x${b.w} does not match ${a.h}x${a.w} at ${base}`);
    return { name: this.g.op('Concat', [a.name, b.name], { axis: 1 }, base), c: a.c + b.c, h: a.h, w: a.w };
  }

  /** The whole network from graph input names to the NHWC output named 'eps'. */
  build(): void {
    const { arch } = this.plan;
    const S = arch.imageSize;
    const xIn = this.g.reserve('x');
    const tIn = this.g.reserve('t');
    this.timestepEmbedding(tIn);
    const x: Feat = { name: this.g.op('Transpose', [xIn], { perm: [0, 3, 1, 2] }, 'x_nchw'), c: arch.inChannels, h: S, w: S };
    let h = this.conv('conv_in', x, 3, arch.ch);
    const hs: Feat[] = [h];
    for (const level of this.plan.down) {
      for (const { block, attn } of level.blocks) {
        h = this.resBlock(block, h);
        if (attn) h = this.attn(attn, h);
        hs.push(h);
      }
      if (level.downsample) {
        h = this.downsample(level.downsample, h);
        hs.push(h);
      }
    }
    h = this.resBlock(this.plan.mid.block1, h);
    h = this.attn(this.plan.mid.attn, h);
    h = this.resBlock(this.plan.mid.block2, h);
    for (const level of this.plan.up) {
      for (const { block, attn } of level.blocks) {
        const skip = hs.pop();
        if (!skip) throw new Error('UNet export: skip stack empty');
        h = this.resBlock(block, this.concat(h, skip, `${block.prefix}.in`));
        if (attn) h = this.attn(attn, h);
      }
      if (level.upsample) h = this.upsample(level.upsample, h);
    }
    h = this.groupNorm('out.norm', h, true);
    h = this.conv('out.conv', h, 3, arch.outChannels);
    const eps = this.g.op('Transpose', [h.name], { perm: [0, 2, 3, 1] }, 'eps');
    if (eps !== 'eps') throw new Error(`UNet export: output got the name '${eps}'`);
  }
}

/** The ONNX graph's I/O description for an architecture (N symbolic). */
export function unetOnnxIO(arch: UNetArch): { inputs: GraphIO[]; outputs: GraphIO[] } {
  const S = arch.imageSize;
  return {
    inputs: [
      { name: 'x', dims: ['N', S, S, arch.inChannels] },
      { name: 't', dims: ['N'] },
    ],
    outputs: [{ name: 'eps', dims: ['N', S, S, arch.outChannels] }],
  };
}

/**
 * Serialises the UNet of `plan` with `weights` as an ONNX ModelProto (opset 17). `identity` names
 * the weights (their tensor file's payload sha256) so a stale export is detected on load.
 */
export function unetToOnnx(plan: UNetPlan, weights: HostWeights, identity: OnnxExportIdentity, opts: UNetOnnxOptions = {}): Uint8Array {
  checkWeights(plan, weights);
  const writer = new UNetOnnxWriter(plan, weights, opts.groupNorm ?? 'instance-norm');
  writer.build();
  return writer.g.toModel({
    graphName: `oms_dpm_unet${identity.modelId ? `_${identity.modelId}` : ''}`,
    ...unetOnnxIO(plan.arch),
    metadata: exportMetadata(plan.arch, identity),
    producerVersion: kitVersion(),
    docString: 'OMS-DPM kit UNet epsilon predictor (DDPM architecture), exported by lib/onnx/unet-to-onnx.ts',
  });
}

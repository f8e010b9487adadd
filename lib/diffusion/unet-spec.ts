/**
 * The DDPM/DDIM UNet's architecture as data: every parameter's name and shape, derived from the
 * config alone. The TF.js forward pass (unet.ts), parameter initialisation, checkpoints and any
 * other engine read this one description, so they cannot disagree about the network.
 */
export interface UNetArch {
  /** base channels `ch` */
  ch: number;
  chMult: number[];
  numResBlocks: number;
  /** resolutions (pixels) with self-attention */
  attnResolutions: number[];
  dropout: number;
  groupNormGroups: number;
  resamplingConv: boolean;
  imageSize: number;
  inChannels: number;
  outChannels: number;
}

export interface ParamSpec {
  name: string;
  shape: number[];
  /** fan-in for PyTorch-default uniform init (bound 1/sqrt(fanIn)); 'ones'/'zeros' for norms */
  init: { kind: 'uniform'; fanIn: number } | { kind: 'ones' } | { kind: 'zeros' };
}

/** One residual block's channel plan. */
export interface ResBlockPlan { prefix: string; cin: number; cout: number }

/** The whole network as an ordered plan; `unet.ts` walks it. */
export interface UNetPlan {
  arch: UNetArch;
  tembDim: number;
  down: { res: number; blocks: { block: ResBlockPlan; attn: string | null }[]; downsample: string | null }[];
  mid: { block1: ResBlockPlan; attn: string; block2: ResBlockPlan };
  up: { res: number; blocks: { block: ResBlockPlan; attn: string | null }[]; upsample: string | null }[];
  params: ParamSpec[];
}

function conv(params: ParamSpec[], name: string, k: number, cin: number, cout: number): void {
  params.push({ name: `${name}.w`, shape: [k, k, cin, cout], init: { kind: 'uniform', fanIn: k * k * cin } });
  params.push({ name: `${name}.b`, shape: [cout], init: { kind: 'uniform', fanIn: k * k * cin } });
}
function dense(params: ParamSpec[], name: string, cin: number, cout: number): void {
  params.push({ name: `${name}.w`, shape: [cin, cout], init: { kind: 'uniform', fanIn: cin } });
  params.push({ name: `${name}.b`, shape: [cout], init: { kind: 'uniform', fanIn: cin } });
}
function norm(params: ParamSpec[], name: string, c: number): void {
  params.push({ name: `${name}.gamma`, shape: [c], init: { kind: 'ones' } });
  params.push({ name: `${name}.beta`, shape: [c], init: { kind: 'zeros' } });
}
function resBlock(params: ParamSpec[], prefix: string, cin: number, cout: number, tembDim: number): ResBlockPlan {
  norm(params, `${prefix}.norm1`, cin);
  conv(params, `${prefix}.conv1`, 3, cin, cout);
  dense(params, `${prefix}.temb`, tembDim, cout);
  norm(params, `${prefix}.norm2`, cout);
  conv(params, `${prefix}.conv2`, 3, cout, cout);
  if (cin !== cout) conv(params, `${prefix}.skip`, 1, cin, cout);
  return { prefix, cin, cout };
}
function attnBlock(params: ParamSpec[], prefix: string, c: number): string {
  norm(params, `${prefix}.norm`, c);
  for (const p of ['q', 'k', 'v', 'proj']) conv(params, `${prefix}.${p}`, 1, c, c);
  return prefix;
}

/** Builds the plan; throws on shapes the architecture cannot take. */
export function planUNet(arch: UNetArch): UNetPlan {
  const { ch, chMult, numResBlocks, attnResolutions, imageSize } = arch;
  const levels = chMult.length;
  const params: ParamSpec[] = [];
  const tembDim = ch * 4;
  dense(params, 'temb.dense0', ch, tembDim);
  dense(params, 'temb.dense1', tembDim, tembDim);
  conv(params, 'conv_in', 3, arch.inChannels, ch);

  const skipChannels: number[] = [ch];
  let res = imageSize;
  let cin = ch;
  const down: UNetPlan['down'] = [];
  for (let i = 0; i < levels; i++) {
    const cout = ch * chMult[i];
    const blocks: UNetPlan['down'][number]['blocks'] = [];
    for (let j = 0; j < numResBlocks; j++) {
      const block = resBlock(params, `down${i}.block${j}`, cin, cout, tembDim);
      const attn = attnResolutions.includes(res) ? attnBlock(params, `down${i}.attn${j}`, cout) : null;
      blocks.push({ block, attn });
      cin = cout;
      skipChannels.push(cin);
    }
    let downsample: string | null = null;
    if (i !== levels - 1) {
      downsample = `down${i}.downsample`;
      if (arch.resamplingConv) conv(params, downsample, 3, cin, cin);
      skipChannels.push(cin);
    }
    down.push({ res, blocks, downsample });
    if (i !== levels - 1) res = Math.floor((res + 1 - 3) / 2) + 1; // conv 3x3 stride 2, pad (0,1)
  }

  const mid = {
    block1: resBlock(params, 'mid.block1', cin, cin, tembDim),
    attn: attnBlock(params, 'mid.attn', cin),
    block2: resBlock(params, 'mid.block2', cin, cin, tembDim),
  };

  const up: UNetPlan['up'] = [];
  for (let i = levels - 1; i >= 0; i--) {
    const cout = ch * chMult[i];
    const blocks: UNetPlan['up'][number]['blocks'] = [];
    for (let j = 0; j < numResBlocks + 1; j++) {
      const skip = skipChannels.pop();
      if (skip === undefined) throw new Error('UNet plan: skip connections exhausted');
      const block = resBlock(params, `up${i}.block${j}`, cin + skip, cout, tembDim);
      const attn = attnResolutions.includes(res) ? attnBlock(params, `up${i}.attn${j}`, cout) : null;
      blocks.push({ block, attn });
      cin = cout;
    }
    let upsample: string | null = null;
    if (i !== 0) {
      upsample = `up${i}.upsample`;
      if (arch.resamplingConv) conv(params, upsample, 3, cin, cin);
    }
    up.push({ res, blocks, upsample });
    if (i !== 0) res *= 2;
  }
  if (res !== imageSize) {
    throw new Error(
      `UNet: imageSize ${imageSize} does not survive ${levels - 1} halvings and doublings (comes back as ${res}); ` +
        `use an imageSize divisible by ${2 ** (levels - 1)}`,
    );
  }
  norm(params, 'out.norm', cin);
  conv(params, 'out.conv', 3, cin, arch.outChannels);
  return { arch, tembDim, down, mid, up, params };
}

/** Total number of scalar parameters. */
export function countParams(plan: UNetPlan): number {
  return plan.params.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}

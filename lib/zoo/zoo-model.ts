/**
 * A trained zoo member: its architecture (from the experiment config), its EMA weights (from
 * results/<experiment>/zoo/<id>/ema-weights.bin) and a denoiser that runs it in TF.js.
 * The weights file records the identity it was trained with; loading it under a config whose
 * architecture or training differ is refused, never silently wrong.
 */
import * as tf from '@tensorflow/tfjs';
import { resolveModelTraining, zooMember, type ExperimentConfig, type ResolvedExperiment } from '../config/index';
import { readTensorFile } from '../diffusion/tensor-file';
import { toVariables, asParams, disposeVariables, type VariableMap } from '../diffusion/model-params';
import { unetForward } from '../diffusion/unet';
import { planUNet, type UNetArch, type UNetPlan } from '../diffusion/unet-spec';
import type { Denoiser } from '../samplers/denoiser';
import { KitError } from '../util/errors';
import { zooPaths } from './workspace';

export function archFor(cfg: ExperimentConfig, modelId: string): UNetArch {
  const m = zooMember(cfg, modelId);
  return {
    ch: m.unet.ch,
    chMult: [...m.unet.chMult],
    numResBlocks: m.unet.numResBlocks,
    attnResolutions: [...m.unet.attnResolutions],
    dropout: m.unet.dropout,
    groupNormGroups: m.unet.groupNormGroups,
    resamplingConv: m.unet.resamplingConv,
    imageSize: cfg.dataset.imageSize,
    inChannels: cfg.dataset.channels,
    outChannels: cfg.dataset.channels,
  };
}

/**
 * What must agree between a checkpoint/weights file and the config that loads it: the
 * architecture, the data, the noise schedule and every training setting except how long and how
 * often to log/checkpoint (so raising `iterations` continues a run).
 */
export function trainingIdentity(cfg: ExperimentConfig, modelId: string): unknown {
  const t = resolveModelTraining(cfg, modelId);
  const { iterations, checkpointEvery: _c, snapshotEvery: _s, logEvery: _l, lrDecay, ...rest } = t;
  return {
    arch: archFor(cfg, modelId),
    dataset: { ...cfg.dataset, root: undefined },
    diffusion: cfg.diffusion,
    // A constant rate leaves the identity as it was before lrDecay existed (trained zoos stay valid)
    // and lets a finished run be extended; a cosine run's every step depends on its length.
    training: lrDecay === 'constant' ? rest : { ...rest, lrDecay, iterations },
  };
}

export interface ZooWeightsMeta {
  kind: 'oms-dpm-zoo-weights';
  modelId: string;
  step: number;
  identity: unknown;
  params: number;
  provenance: unknown;
}

export interface LoadedZooModel {
  modelId: string;
  plan: UNetPlan;
  vars: VariableMap;
  meta: ZooWeightsMeta;
  denoiser: Denoiser;
  dispose(): void;
}

export function loadZooModel(exp: ResolvedExperiment, modelId: string): LoadedZooModel {
  const file = zooPaths(exp, modelId).weights;
  const f = readTensorFile<ZooWeightsMeta>(file, `weights of zoo model '${modelId}'`);
  if (f.meta.kind !== 'oms-dpm-zoo-weights') throw new KitError(`${file} is not a zoo weights file (kind ${String(f.meta.kind)})`);
  const want = JSON.stringify(trainingIdentity(exp.config, modelId));
  if (JSON.stringify(f.meta.identity) !== want) {
    throw new KitError(`the weights in ${file} were trained with another architecture or training config than experiment '${exp.config.name}' now has`, {
      hint: `retrain with oms-dpm train-zoo --experiment ${exp.config.name} --model ${modelId}, or restore the config they were trained with`,
    });
  }
  const plan = planUNet(archFor(exp.config, modelId));
  const vars = toVariables(plan, f.arrays, false, file);
  const params = asParams(vars);
  const denoiser: Denoiser = (x, tInput) =>
    tf.tidy(() => unetForward(params, plan, x, tf.fill([x.shape[0]], tInput) as tf.Tensor1D, { training: false }));
  return { modelId, plan, vars, meta: f.meta, denoiser, dispose: () => disposeVariables(vars) };
}

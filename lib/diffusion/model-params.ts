/**
 * Moving UNet weights between host arrays (checkpoints) and TF.js variables, checking them against
 * the architecture plan so a checkpoint of another architecture is refused by name.
 */
import * as tf from '@tensorflow/tfjs';
import { KitError } from '../util/errors';
import type { NamedArray } from './tensor-file';
import type { UNetPlan } from './unet-spec';

export type VariableMap = Map<string, tf.Variable>;

let uid = 0;

export function toVariables(plan: UNetPlan, arrays: Map<string, { shape: number[]; data: Float32Array }>, trainable: boolean, source: string): VariableMap {
  checkAgainstPlan(plan, arrays, source);
  const out: VariableMap = new Map();
  const tag = `m${uid++}`;
  for (const spec of plan.params) {
    const a = arrays.get(spec.name)!;
    // tidy disposes the temporary tensor; the variable keeps its own reference to the data
    out.set(spec.name, tf.tidy(() => tf.variable(tf.tensor(a.data, spec.shape), trainable, `${tag}/${spec.name}`)));
  }
  return out;
}

export function checkAgainstPlan(plan: UNetPlan, arrays: Map<string, { shape: number[] }>, source: string): void {
  const fix = 'the weights were made for another architecture: re-train, or use the experiment config they were trained with';
  for (const spec of plan.params) {
    const a = arrays.get(spec.name);
    if (!a) throw new KitError(`${source}: parameter '${spec.name}' is missing`, { hint: fix });
    if (a.shape.join(',') !== spec.shape.join(',')) {
      throw new KitError(`${source}: parameter '${spec.name}' has shape [${a.shape}], the architecture needs [${spec.shape}]`, { hint: fix });
    }
  }
}

export async function toHost(vars: VariableMap, prefix = ''): Promise<NamedArray[]> {
  const out: NamedArray[] = [];
  for (const [name, v] of vars) {
    out.push({ name: prefix + name, shape: v.shape.slice(), data: (await v.data()) as Float32Array });
  }
  return out;
}

export function disposeVariables(vars: VariableMap): void {
  for (const v of vars.values()) v.dispose();
}

/** Plain tensor record for unetForward. */
export function asParams(vars: VariableMap): Record<string, tf.Tensor> {
  const o: Record<string, tf.Tensor> = {};
  for (const [k, v] of vars) o[k] = v;
  return o;
}

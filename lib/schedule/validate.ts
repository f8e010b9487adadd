/**
 * The rules a model schedule must obey (method doc §3). Every violation is a KitError that names
 * the position (or group) and the rule, with a hint that says how to fix it.
 *
 *   1. each entry is an integer model index in 0..N (0 = null model);
 *   2. the length is the expected one, if given; DDIM: 1 <= L <= T; DPM-Solver: a positive multiple of 3;
 *   3. DPM-Solver: the non-zero entries of every group of 3 are packed at its front;
 *   4. at least one entry is non-zero (a sampler needs at least one network evaluation).
 */
import { didYouMean } from '../config/suggest';
import { KitError } from '../util/errors';
import { GROUP_SIZE, ModelSchedule, NULL_MODEL, SOLVERS, SolverName } from './types';

/** `ddim` or `dpm-solver`; anything else is a KitError listing the allowed names. */
export function parseSolver(name: string): SolverName {
  const found = SOLVERS.find((s) => s === name);
  if (found !== undefined) return found;
  throw new KitError(`unknown solver '${name}'${didYouMean(name, SOLVERS)}`, { hint: `allowed solvers: ${SOLVERS.join(', ')}` });
}

export interface ValidateOptions {
  /** T, the number of discrete diffusion steps (DDIM lengths must not exceed it); default 1000. */
  timesteps?: number;
}

/**
 * Checks `entries` against the rules above and returns the typed schedule (entries copied).
 * `numModels` = N, the zoo size; when undefined only `>= 0` is checked (no zoo at hand).
 * `expectedLength`, when given, must equal the length.
 */
export function validateSchedule(
  solver: SolverName,
  entries: readonly number[],
  numModels?: number,
  expectedLength?: number,
  options: ValidateOptions = {},
): ModelSchedule {
  const T = options.timesteps ?? 1000;
  if (numModels !== undefined && (!Number.isInteger(numModels) || numModels < 1)) {
    throw new KitError(`number of models must be a positive integer, got ${numModels}`, { hint: 'pass the zoo size N (models are 1..N)' });
  }
  const range = numModels === undefined ? '0, 1, 2, ...' : `0..${numModels}`;

  // Rule 1: model indices.
  entries.forEach((m, i) => {
    if (!Number.isInteger(m) || m < 0 || (numModels !== undefined && m > numModels)) {
      throw new KitError(`${solver} schedule position ${i}: model index ${m} is out of range ${range}`, {
        hint:
          numModels === undefined
            ? 'entries are 0 (null model, no evaluation) or a zoo model index 1..N'
            : `entries are 0 (null model, no evaluation) or a zoo model index 1..${numModels}; this zoo has ${numModels} model${numModels === 1 ? '' : 's'}`,
      });
    }
  });

  // Rule 2: length.
  const L = entries.length;
  if (expectedLength !== undefined && L !== expectedLength) {
    throw new KitError(`${solver} schedule has length ${L}, expected ${expectedLength}`, {
      hint: `give exactly ${expectedLength} comma-separated entries (0 for a skipped position)`,
    });
  }
  if (solver === 'ddim' && (L < 1 || L > T)) {
    throw new KitError(`ddim schedule has length ${L}; a DDIM schedule's length must be in 1..${T} (T = ${T} timesteps)`, {
      hint: `position i stands for timestep i * floor(${T} / L); the code default is L = 100`,
    });
  }
  if (solver === 'dpm-solver' && (L < GROUP_SIZE || L % GROUP_SIZE !== 0)) {
    throw new KitError(`dpm-solver schedule has length ${L}; its length must be a positive multiple of ${GROUP_SIZE} (groups of ${GROUP_SIZE})`, {
      hint: `pad the last group with 0s to reach ${Math.max(GROUP_SIZE, Math.ceil(L / GROUP_SIZE) * GROUP_SIZE)}; the code default is L = 90 (CIFAR-10) or 60`,
    });
  }

  // Rule 3: packing.
  if (solver === 'dpm-solver') {
    for (let g = 0; g < L / GROUP_SIZE; g++) {
      const group = entries.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE);
      const firstNull = group.indexOf(NULL_MODEL);
      const late = firstNull < 0 ? -1 : group.findIndex((m, j) => j > firstNull && m !== NULL_MODEL);
      if (late >= 0) {
        const packed = [...group.filter((m) => m !== NULL_MODEL), ...group.filter((m) => m === NULL_MODEL)];
        throw new KitError(
          `dpm-solver schedule group ${g} (positions ${g * GROUP_SIZE}..${g * GROUP_SIZE + GROUP_SIZE - 1}) is [${group.join(', ')}]: ` +
            `packing rule violated: position ${g * GROUP_SIZE + late} holds model ${group[late]} after a null entry`,
          { hint: `the non-zero entries of a group come first; write this group as [${packed.join(', ')}]` },
        );
      }
    }
  }

  // Rule 4: at least one evaluation.
  if (!entries.some((m) => m !== NULL_MODEL)) {
    throw new KitError(`${solver} schedule has no active entry: all ${L} positions are 0 (null model)`, {
      hint: 'a sampler needs at least one network evaluation; put a model index 1..N somewhere',
    });
  }

  return { solver, entries: [...entries] } as ModelSchedule;
}

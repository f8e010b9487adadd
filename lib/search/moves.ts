/**
 * The one move of the search (method doc §6): pick 1..maxPositions distinct positions uniformly at
 * random and redraw each one, with a given probability, among the model indices the schedule's rules
 * allow there. Children use it with probability 1 and any model ("any"); the repair of the first
 * schedule uses it with probability 0.1 and only models no heavier ("lighter") or no lighter
 * ("heavier") than the current one, by latency.
 *
 * Checked in the official code (code/predictor/search_utils.py, `dpmsolver_model_schedule.mutate`
 * and `ddim_model_schedule.mutate`): the positions are processed one after another in the order
 * drawn, each seeing the earlier changes; a DPM-Solver position may hold a model only if it opens
 * its group or follows a non-null entry, and may become null only if it closes its group or precedes
 * a null entry, so a packed schedule stays packed. One addition: the official move can null the last
 * network evaluation of a schedule; here that position may only change model, so a move never
 * yields a schedule with no NFE.
 */
import { Rng } from '../util/rng';
import { GROUP_SIZE, NULL_MODEL, SolverName, validateSchedule } from '../schedule/index';
import { KitError } from '../util/errors';

// Module-level copies: reading a re-exported constant in CommonJS goes through a getter on every
// access, which dominated the search's run time when done in the move loop.
const NULL = NULL_MODEL;
const GROUP = GROUP_SIZE;

/** Which models a redrawn position may take, relative to its current model's latency. */
export type MoveMode = 'any' | 'lighter' | 'heavier';

/**
 * Applies moves in place to schedules of one solver, length and zoo, reusing its scratch buffers
 * (the search makes hundreds of thousands of moves). Inputs are trusted to be valid schedules;
 * a valid input always gives a valid output.
 */
export class ScheduleMutator {
  /** A permutation of 0..L-1; its prefix after a partial Fisher-Yates shuffle is the positions drawn. */
  private readonly pool: Int32Array;
  private readonly candidates: Int32Array;

  /**
   * `latency` (index 0 = null model) is needed only by 'lighter' and 'heavier' moves.
   * `maxPositions` is capped at the length.
   */
  constructor(
    readonly solver: SolverName,
    readonly length: number,
    readonly numModels: number,
    readonly maxPositions: number,
    private readonly latency: Float64Array | null = null,
  ) {
    this.pool = new Int32Array(length);
    for (let i = 0; i < length; i++) this.pool[i] = i;
    this.candidates = new Int32Array(numModels + 1);
  }

  /** One move on `entries` (changed in place). `probability` is the per-position redraw chance. */
  move(entries: number[], rng: Rng, mode: MoveMode = 'any', probability = 1): void {
    const L = this.length;
    const packed = this.solver === 'dpm-solver';
    if (mode !== 'any' && this.latency === null) throw new Error(`a '${mode}' move needs model latencies`);
    let active = 0;
    for (let i = 0; i < L; i++) if (entries[i] !== NULL) active++;

    const k = 1 + Math.floor(rng() * Math.min(this.maxPositions, L));
    for (let n = 0; n < k; n++) {
      const r = n + Math.floor(rng() * (L - n));
      const i = this.pool[r];
      this.pool[r] = this.pool[n];
      this.pool[n] = i;

      const current = entries[i];
      let mayHoldModel = true;
      let mayBeNull = current === NULL || active > 1;
      if (packed) {
        const j = i % GROUP;
        if (j > 0 && entries[i - 1] === NULL) mayHoldModel = false;
        if (j < GROUP - 1 && entries[i + 1] !== NULL) mayBeNull = false;
      }
      // A position behind a null in its group must stay null: nothing to redraw.
      if (!mayHoldModel) continue;
      if (probability < 1 && rng() >= probability) continue;

      const count = this.fillCandidates(current, mayBeNull, mode);
      const next = this.candidates[Math.floor(rng() * count)];
      if (current === NULL && next !== NULL) active++;
      else if (current !== NULL && next === NULL) active--;
      entries[i] = next;
    }
  }

  /** Writes the allowed models into `candidates` and returns how many; the current model is always one. */
  private fillCandidates(current: number, mayBeNull: boolean, mode: MoveMode): number {
    const lat = this.latency;
    const here = lat === null ? 0 : lat[current];
    let count = 0;
    for (let m = mayBeNull ? NULL : 1; m <= this.numModels; m++) {
      if (mode === 'lighter' && (lat as Float64Array)[m] > here) continue;
      if (mode === 'heavier' && (lat as Float64Array)[m] < here) continue;
      this.candidates[count++] = m;
    }
    return count;
  }
}

/**
 * A child of `entries` by one official mutation: 1..maxPositions random positions, each set to a
 * random model index allowed there (null included where the DPM-Solver packing rule and the
 * at-least-one-NFE rule permit). The input is validated once; the result is a new valid schedule.
 */
export function mutate(entries: readonly number[], solver: SolverName, numModels: number, rng: Rng, maxPositions = 10): number[] {
  validateSchedule(solver, entries, numModels);
  if (!Number.isInteger(maxPositions) || maxPositions < 1) {
    throw new KitError(`mutation: maxPositions must be a positive integer, got ${maxPositions}`, { hint: 'the official value is 10' });
  }
  const child = entries.slice();
  new ScheduleMutator(solver, entries.length, numModels, maxPositions).move(child, rng);
  return child;
}

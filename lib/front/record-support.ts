/**
 * Where the predictor may be trusted: how far a schedule lies from the training records it learned
 * from. The predictor ranks well among schedules like its records and guesses elsewhere (measured on
 * the committed fronts: the search lost to the best single model at the largest budgets, where it
 * picked 17-30 NFE schedules and the records had at most 19). Two descriptors, both read off the
 * schedule's entries (entry m > 0 is one network evaluation of model m, in either solver's encoding):
 *
 *   NFE            inside the records' NFE range [min, max];
 *   model mix      the share of the NFE each model takes (a point of the simplex over the N models);
 *                  its L1 distance to the nearest record's mix (0..2).
 *
 * A schedule is inside the records' support when its NFE is in range and its mix distance is at most
 * the records' own typical spacing: the median, over the records, of each record's distance to its
 * nearest other record (a scale that needs no tuning: a candidate counts as near when it is as near
 * to some record as records usually are to each other).
 *
 * With a support ensemble (front.supportEnsemble > 0) a third descriptor joins them, the ensemble
 * spread (ensemble-spread.ts: how much predictors trained on resamples of the records disagree on
 * the schedule), and `withSpread` makes inside also require it at most its threshold.
 */
export interface Support {
  nfe: number;
  /** the training records' NFE range */
  nfeRange: [number, number];
  /** L1 distance of the model mix to the nearest record's */
  mixDistance: number;
  /** the records' median nearest-neighbour mix distance */
  threshold: number;
  /** the ensemble spread (ensemble-spread.ts); absent without a support ensemble */
  spread?: number;
  /** its threshold, the validation records' median spread */
  spreadThreshold?: number;
  inside: boolean;
}

/** The share of the NFE each model 1..numModels takes (all zeros for an empty schedule). */
export function modelMix(entries: readonly number[], numModels: number): Float64Array {
  const mix = new Float64Array(numModels);
  let nfe = 0;
  for (const e of entries) {
    if (e > 0) {
      mix[e - 1]++;
      nfe++;
    }
  }
  if (nfe > 0) for (let m = 0; m < numModels; m++) mix[m] /= nfe;
  return mix;
}

const l1 = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0);

export class RecordSupport {
  private readonly mixes: Float64Array[];
  private readonly nfeRange: [number, number];
  private readonly threshold: number;

  /** `schedules`: the training records' schedules (at least 2). */
  constructor(schedules: readonly (readonly number[])[], private readonly numModels: number) {
    this.mixes = schedules.map((s) => modelMix(s, numModels));
    const nfes = schedules.map((s) => s.filter((e) => e > 0).length);
    this.nfeRange = [Math.min(...nfes), Math.max(...nfes)];
    const nearest = this.mixes.map((m, i) => Math.min(...this.mixes.filter((_, j) => j !== i).map((o) => l1(m, o))));
    const sorted = nearest.filter(Number.isFinite).sort((a, b) => a - b);
    this.threshold = sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)];
  }

  describe(entries: readonly number[]): Support {
    const mix = modelMix(entries, this.numModels);
    const nfe = entries.filter((e) => e > 0).length;
    const mixDistance = this.mixes.length === 0 ? Infinity : Math.min(...this.mixes.map((m) => l1(mix, m)));
    const inRange = nfe >= this.nfeRange[0] && nfe <= this.nfeRange[1];
    return { nfe, nfeRange: [...this.nfeRange], mixDistance, threshold: this.threshold, inside: inRange && mixDistance <= this.threshold };
  }
}

/** `s` with the ensemble spread: inside only when the spread is at most its threshold too. */
export function withSpread(s: Support, spread: number, spreadThreshold: number): Support {
  return { ...s, spread, spreadThreshold, inside: s.inside && spread <= spreadThreshold };
}

/** A plain sentence: why a candidate is (not) inside the support. */
export function describeSupport(s: Support): string {
  const range = `NFE ${s.nfe} ${s.nfe >= s.nfeRange[0] && s.nfe <= s.nfeRange[1] ? 'in' : 'outside'} the records' ${s.nfeRange[0]}-${s.nfeRange[1]}`;
  const mix = `model-mix distance ${s.mixDistance.toFixed(2)} ${s.mixDistance <= s.threshold ? '<=' : '>'} ${s.threshold.toFixed(2)} (records' median spacing)`;
  if (s.spread === undefined || s.spreadThreshold === undefined) return `${range}, ${mix}`;
  return `${range}, ${mix}, ensemble spread ${s.spread.toFixed(3)} ${s.spread <= s.spreadThreshold ? '<=' : '>'} ${s.spreadThreshold.toFixed(3)} (validation records' median)`;
}

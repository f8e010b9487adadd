/**
 * The front file (results/<experiment>/front-<solver>.json): a fresh one, or the stored one taken
 * up again when it was made with the same config hash, with the FID cache beside it; and the note
 * every front file carries on how its points were chosen and reported.
 */
import * as fs from 'node:fs';
import { DEFAULT_SEARCH_SETTINGS } from '../search/settings';
import { FRONT_SERIES, type FrontData, type FrontSeriesName } from './front-data';
import { frontConfigHash, type FrontInputs } from './front-inputs';
import { INTERVAL_METHOD } from './held-out';
import { FrontScoreStore } from './score-store';

export const FRONT_NOTE =
  'Every series chooses its pick on the selection images (noise-bank images 0..selectionImages-1: the search re-ranks there, the baselines take their best setting there, ' +
  'the schedule-FID dataset was scored there) and every pick is reported on the held-out images (heldOut), which played no part in any choice: ' +
  'fid is the held-out FID with its bootstrap interval [fidLow, fidHigh], selectionFid the FID it was chosen by. ' +
  'comparisons: OMS-DPM minus each baseline on the same held-out images, a win or loss only when the interval excludes 0. ' +
  'Costs are scheduleCost over the latency table of the engine (ms per batch). Enumerated baselines use their natural encodings (see lib/front/candidate.ts).';

export function freshData(run: FrontInputs, configHash: string): FrontData {
  return {
    kind: 'oms-dpm-front',
    version: 2,
    experiment: run.experiment,
    solver: run.solver,
    engine: run.engine,
    configHash,
    experimentConfigHash: run.experimentConfigHash,
    featureNetwork: run.featureNetwork,
    selectionImages: run.images,
    heldOut: { ...run.heldOut.settings, interval: INTERVAL_METHOD },
    note: FRONT_NOTE,
    length: run.length,
    latency: run.latency,
    modelIds: run.modelIds,
    budgets: [],
    budgetRule: run.budgetRule,
    settings: { ...run.settings, rerankTopK: run.rerankTopK, randomDistribution: run.randomDistribution, repairTolerance: DEFAULT_SEARCH_SETTINGS.repairTolerance },
    series: [],
    empty: [],
    comparisons: [],
    provenance: run.provenance,
  };
}

/** The stored front when it was made with the same config hash; otherwise null and why. */
export function loadFront(file: string, configHash: string): { data: FrontData | null; why: string | null } {
  if (!fs.existsSync(file)) return { data: null, why: null };
  let old: FrontData;
  try {
    old = JSON.parse(fs.readFileSync(file, 'utf8')) as FrontData;
  } catch {
    return { data: null, why: `${file} is not valid JSON; starting again` };
  }
  if (old.kind !== 'oms-dpm-front' || old.version !== 2 || old.configHash !== configHash) {
    return { data: null, why: `${file} was made with other settings (config hash ${old.configHash}, now ${configHash}); its points are recomputed (FIDs come from the cache where they still apply)` };
  }
  return { data: old, why: null };
}

/** The front file to continue (same config hash) or a fresh one, with the wanted series in place. */
export function startFrontFile(run: FrontInputs, budgets: number[], wanted: FrontSeriesName[]): { data: FrontData; store: FrontScoreStore } {
  const configHash = frontConfigHash(run);
  const loaded = loadFront(run.file, configHash);
  const data = loaded.data ? { ...loaded.data, provenance: run.provenance, settings: freshData(run, configHash).settings } : freshData(run, configHash);
  if (loaded.why) run.onEvent?.({ kind: 'reset', why: loaded.why });
  const store = FrontScoreStore.open(run.scoresFile, run.scoreIdentity);
  if (store.reset) run.onEvent?.({ kind: 'reset', why: `${run.scoresFile} holds FIDs of another zoo, sampler, FID reference or engine; started again` });
  if (loaded.data) run.onEvent?.({ kind: 'resume', points: data.series.reduce((n, s) => n + s.points.length, 0) + data.empty.length, scores: store.size });
  for (const name of wanted) if (!data.series.some((s) => s.name === name)) data.series.push({ name, points: [] });
  data.series.sort((a, b) => FRONT_SERIES.indexOf(a.name) - FRONT_SERIES.indexOf(b.name));
  data.budgets = [...new Set([...data.budgets, ...budgets])].sort((a, b) => a - b);
  return { data, store };
}

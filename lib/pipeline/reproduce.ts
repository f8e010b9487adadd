/**
 * `reproduce`: the pipeline run as a check of the committed results. By default it recomputes in a
 * run folder of its own (reproduction.ts), starting from the committed zoo, and ends with the
 * committed-against-reproduced comparison (reproduction-report.ts); `inPlace` runs on the
 * committed results folder itself (refreshing it) and compares its figures with git HEAD.
 *
 * The run takes the lock of the folder it writes (the committed folder is only read in the default
 * mode). A rerun on the same folder resumes: finished stages are up to date by their manifests,
 * interrupted ones continue from what they wrote.
 */
import * as path from 'node:path';
import { loadExperiment, type ResolvedExperiment } from '../config/index';
import { acquireRunLock, takeoverText } from '../util/run-lock';
import { resultsDir } from '../zoo/workspace';
import { compareWithCommitted } from './compare-committed';
import { readManifest } from './manifest';
import { compareReproduction, reproductionLines, writeReproductionReport } from './reproduction-report';
import { reproductionFolders, seedReproduction, useReproductionFolders, type ReproductionFolders } from './reproduction';
import { RunEta } from './run-eta';
import { runPipeline, type PipelineOptions, type PipelineReport } from './run-pipeline';
import { pipelineStages, type StageContext } from './stages';
import * as fs from 'node:fs';

export interface ReproduceOptions {
  /** refresh the committed results folder itself instead of a run folder */
  inPlace: boolean;
  /** the run folder (default <runs>/reproduce/<experiment>) */
  out?: string;
  from?: string;
  force?: boolean;
  /** the command line, for the lock ('oms-dpm reproduce ...') */
  command: string;
  onStage?: PipelineOptions['onStage'];
  /** a note for the user (what is copied, where the run goes) */
  note: (line: string) => void;
  /** takeover of a stale lock */
  onTakeover: (text: string) => void;
}

export interface ReproduceResult {
  report: PipelineReport;
  /** the reproduced experiment's results folder */
  dir: string;
  /** committed against reproduced, one line each */
  comparison: string[];
  /** the comparison page (default mode) */
  page: string | null;
}

/**
 * The experiment resolved inside the run folder: `load` resolves it (after the folders are switched,
 * so every path of the run lands there). Returns the run folders (null when in place) and a restore.
 */
export function enterReproduction(
  load: () => ResolvedExperiment,
  o: Pick<ReproduceOptions, 'inPlace' | 'out' | 'from' | 'note'>,
): { exp: ResolvedExperiment; folders: ReproductionFolders | null; restore: () => void; previousSeconds: Map<string, number | null> } {
  const committed = load();
  // read before anything runs: a stage that starts removes its manifest
  const previousSeconds = committedStageSeconds(committed);
  if (o.inPlace) return { exp: committed, folders: null, restore: () => {}, previousSeconds };
  const folders = reproductionFolders(committed, o.out);
  const hasZoo = fs.existsSync(path.join(folders.committedDir, 'zoo'));
  const fromZoo = o.from === 'zoo' || !hasZoo;
  if (!hasZoo && o.from !== 'zoo') o.note(`no committed zoo in ${path.join(folders.committedDir, 'zoo')}: the reproduction trains the zoo too (as with --from zoo)`);
  const restore = useReproductionFolders(folders);
  const exp = load();
  const copied = seedReproduction(exp, folders, { fromZoo });
  o.note(`reproducing into ${folders.folder}${copied.length ? ` (copied from the committed results: ${copied.join(', ')})` : ''}; the committed ${folders.committedDir} is only read`);
  return { exp, folders, restore, previousSeconds };
}

/** The committed run's seconds per stage (the ETA's estimate for stages still to come). */
function committedStageSeconds(committed: ResolvedExperiment): Map<string, number | null> {
  return new Map(pipelineStages().map((s) => [s.name, readManifest(committed, s.name)?.seconds ?? null]));
}

/** Runs the pipeline for `ctx.exp` (already resolved inside the run folder) and compares. */
export async function reproduce(ctx: StageContext, folders: ReproductionFolders | null, o: ReproduceOptions, eta?: RunEta): Promise<ReproduceResult> {
  const dir = resultsDir(ctx.exp);
  acquireRunLock(dir, o.command, (h) => o.onTakeover(takeoverText(h, dir)));
  const stages = pipelineStages();
  const report = await runPipeline(ctx, stages, {
    from: o.from,
    force: o.force,
    onStage: (name, status, seconds, summary) => {
      if (status === 'running') eta?.stageStarted(name);
      else eta?.stageFinished(name);
      o.onStage?.(name, status, seconds, summary);
    },
  });
  if (!folders) return { report, dir, comparison: compareWithCommitted(dir), page: null };
  const c = compareReproduction(ctx.exp, stages.map((s) => s.name), folders.committedDir, dir);
  return { report, dir, comparison: reproductionLines(c), page: writeReproductionReport(c) };
}

/** The experiment as the CLI names it, resolved after the folders are chosen. */
export function experimentLoader(name: string, profile: string, set: string[]): () => ResolvedExperiment {
  return () => loadExperiment(name, { profile, set });
}

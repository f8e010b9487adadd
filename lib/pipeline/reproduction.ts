/**
 * Where `oms-dpm reproduce` recomputes: a run folder of its own, so a reproduction never touches the
 * committed results it is checked against.
 *
 *   <runs>/reproduce/<experiment>[@<profile>]/results/<experiment>[@<profile>]/   what it recomputes
 *   <runs>/reproduce/<experiment>[@<profile>]/runs/...                            its resumable state
 *
 * (`<runs>` is runs/, or OMS_DPM_RUNS.) The committed zoo is the starting point: its weights, their
 * manifest and the stored data split are copied in, so every stage after the zoo recomputes and the
 * zoo stage is up to date; `fromZoo` copies nothing and retrains the zoo too. A second reproduce on
 * the same folder resumes through the stage cache (the copy is made once).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResolvedExperiment } from '../config/index';
import { KitError } from '../util/errors';
import { resultsDir, runsDir } from '../zoo/workspace';
import { manifestFile } from './manifest';

export interface ReproductionFolders {
  /** the committed results the reproduction is compared with: results/<experiment> */
  committedDir: string;
  /** the run folder: <runs>/reproduce/<experiment> */
  folder: string;
  /** its results root (what OMS_DPM_RESULTS points at while it runs) */
  resultsRoot: string;
  /** its runs root (OMS_DPM_RUNS) */
  runsRoot: string;
}

/** The run folder of `exp`'s reproduction (`out`: another folder, e.g. --out). */
export function reproductionFolders(exp: ResolvedExperiment, out?: string): ReproductionFolders {
  const committedDir = resultsDir(exp);
  const folder = path.resolve(out ?? path.join(path.dirname(runsDir(exp)), 'reproduce', path.basename(committedDir)));
  return { committedDir, folder, resultsRoot: path.join(folder, 'results'), runsRoot: path.join(folder, 'runs') };
}

/** The files of the committed results a reproduction starts from (relative to the experiment's results folder). */
export function startingPoint(exp: ResolvedExperiment): string[] {
  return ['zoo', 'data-split.json', path.relative(resultsDir(exp), manifestFile(exp, 'zoo'))];
}

/**
 * Copies the committed zoo (weights, curves, grids), its stage manifest and the data split into the
 * run folder, unless it is there already or `fromZoo`. Returns what was copied. A missing committed
 * zoo is an error naming the fix (train it, or reproduce with --from zoo).
 */
export function seedReproduction(exp: ResolvedExperiment, f: ReproductionFolders, opts: { fromZoo: boolean }): string[] {
  if (opts.fromZoo) return [];
  const target = path.join(f.resultsRoot, path.basename(f.committedDir));
  const copied: string[] = [];
  for (const rel of startingPoint(exp)) {
    const from = path.join(f.committedDir, rel);
    const to = path.join(target, rel);
    if (fs.existsSync(to)) continue;
    if (!fs.existsSync(from)) {
      if (rel === 'zoo') {
        throw new KitError(`no committed zoo in ${from} to reproduce from`, {
          hint: `train it first (oms-dpm train-zoo --experiment ${exp.config.name} --profile ${exp.profile}), or reproduce from scratch: oms-dpm reproduce --experiment ${exp.config.name} --profile ${exp.profile} --from zoo`,
        });
      }
      continue; // no split or manifest committed: the stage that makes it runs
    }
    // copied under a temporary name and renamed, so a kill never leaves half a zoo that looks whole
    const tmp = `${to}.copy-${process.pid}`;
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.rmSync(tmp, { recursive: true, force: true });
    try {
      fs.cpSync(from, tmp, { recursive: true, filter: (src) => !src.endsWith('.run.lock') });
      fs.renameSync(tmp, to);
    } catch (e) {
      // a failed copy (a full disk) leaves no half copy behind: the next run, another pid, would not reuse it
      fs.rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    copied.push(rel);
  }
  return copied;
}

/**
 * Points the kit's results and runs folders at the reproduction's for the rest of this process and
 * the processes it starts (scoring workers, predictor children inherit the environment). Returns a
 * function that restores the previous folders.
 */
export function useReproductionFolders(f: ReproductionFolders): () => void {
  const before = { results: process.env.OMS_DPM_RESULTS, runs: process.env.OMS_DPM_RUNS };
  process.env.OMS_DPM_RESULTS = f.resultsRoot;
  process.env.OMS_DPM_RUNS = f.runsRoot;
  return () => {
    for (const [key, value] of [['OMS_DPM_RESULTS', before.results], ['OMS_DPM_RUNS', before.runs]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

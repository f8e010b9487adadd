/**
 * Stage manifests: what a pipeline stage was run with and how it went, one JSON file per stage in
 * results/<experiment>/manifests/. A stage is up to date when its manifest's key equals the key
 * of its inputs now (the resolved settings it depends on and its upstream stages' keys), so a
 * changed setting re-runs exactly the stages that depend on it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResolvedExperiment } from '../config/index';
import { writeJsonAtomic } from '../util/atomic-file';
import { resultsDir } from '../zoo/workspace';
import type { Provenance } from '../config/provenance';

export interface StageManifest {
  stage: string;
  key: string;
  /** the inputs the key was computed from */
  inputs: unknown;
  config: unknown;
  provenance: Provenance;
  startedAt: string;
  seconds: number;
  summary: unknown;
}

export function manifestFile(exp: ResolvedExperiment, stage: string): string {
  return path.join(resultsDir(exp), 'manifests', `${stage}.json`);
}

export function readManifest(exp: ResolvedExperiment, stage: string): StageManifest | null {
  const f = manifestFile(exp, stage);
  if (!fs.existsSync(f)) return null;
  try {
    return JSON.parse(fs.readFileSync(f, 'utf8')) as StageManifest;
  } catch {
    return null; // a damaged manifest only means the stage is re-checked
  }
}

export function writeManifest(exp: ResolvedExperiment, m: StageManifest): void {
  writeJsonAtomic(manifestFile(exp, m.stage), m);
}

/** Forgets a stage's manifest (nothing when there is none). */
export function removeManifest(exp: ResolvedExperiment, stage: string): void {
  fs.rmSync(manifestFile(exp, stage), { force: true });
}

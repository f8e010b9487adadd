/**
 * Provenance recorded with every result: which config (resolved, hashed), which code (git commit
 * and whether the tree was dirty), which engine and package versions, which command, when.
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import type { ResolvedExperiment } from '../config/index';
import { backendInfo, packageVersions, type BackendInfo } from '../engine/backend';
import { repoRoot } from '../config/index';

export interface Provenance {
  experiment: string;
  profile: string;
  overrides: string[];
  configHash: string;
  git: { commit: string | null; dirty: boolean | null };
  backend: BackendInfo | null;
  packages: Record<string, string>;
  machine: { platform: string; cpus: number; cpuModel: string; memoryGb: number };
  command: string[];
  createdAt: string;
}

export function gitState(): Provenance['git'] {
  try {
    const cwd = repoRoot();
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: null, dirty: null };
  }
}

export function makeProvenance(exp: ResolvedExperiment): Provenance {
  let backend: BackendInfo | null = null;
  try {
    backend = backendInfo();
  } catch {
    backend = null;
  }
  const cpus = os.cpus();
  return {
    experiment: exp.config.name,
    profile: exp.profile,
    overrides: exp.overrides,
    configHash: exp.hash,
    git: gitState(),
    backend,
    packages: packageVersions(),
    machine: { platform: `${os.platform()}-${os.arch()}`, cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30) },
    command: process.argv.slice(1),
    createdAt: new Date().toISOString(),
  };
}

/**
 * Provenance recorded with every result: which config (resolved, hashed), which code (git commit
 * and whether the tree was dirty), which TF.js backend and package versions, which machine, which
 * command, when. It sits beside the config it records, low enough for every layer that writes a
 * result to use.
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { backendInfo, packageVersions, type BackendInfo } from '../tfjs/backend';
import { repoRoot, type ResolvedExperiment } from './load';

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

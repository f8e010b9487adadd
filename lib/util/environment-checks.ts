/**
 * Whether the external tools the kit uses are usable here: Debian's Jupyter with the project-local
 * tslab kernel (notebooks), and a headless Chromium (PNG export of figures). `oms-dpm doctor`
 * reports them; neither is needed to train or sample.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ToolCheck { name: string; ok: boolean; detail: string }

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, env: { ...process.env, ...env } }).toString().trim();
}

export const JUPYTER = '/usr/bin/jupyter';
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function projectJupyterPath(root: string): string {
  return path.join(root, '.jupyter', 'share', 'jupyter');
}

/**
 * The project's tslab kernelspec (scripts/install-kernel.js), read from its file: `jupyter
 * kernelspec list` needs Debian's jupyter-client CLI, which the kit does not otherwise use
 * (nbconvert finds the kernel through JUPYTER_PATH), so asking it would report a working kernel
 * as missing. The kernel's program must exist too: the spec holds absolute paths.
 */
export function checkTslabKernel(root: string): ToolCheck {
  const file = path.join(projectJupyterPath(root), 'kernels', 'tslab', 'kernel.json');
  const fix = 'node scripts/install-kernel.js (scripts/setup.sh runs it)';
  if (!fs.existsSync(file)) return { name: 'tslab kernel', ok: false, detail: `not registered (${file} missing): ${fix}` };
  let argv: unknown;
  try {
    argv = (JSON.parse(fs.readFileSync(file, 'utf8')) as { argv?: unknown }).argv;
  } catch (e) {
    return { name: 'tslab kernel', ok: false, detail: `${file} is not JSON (${(e as Error).message}): ${fix}` };
  }
  const program = Array.isArray(argv) ? argv.find((a) => typeof a === 'string' && a.endsWith('tslab')) : undefined;
  if (typeof program !== 'string' || !fs.existsSync(program)) {
    return { name: 'tslab kernel', ok: false, detail: `${file} starts ${String(program)}, which does not exist (moved checkout?): ${fix}` };
  }
  return { name: 'tslab kernel', ok: true, detail: `registered in ${path.relative(root, file)}` };
}

export function checkJupyter(root: string): ToolCheck[] {
  const out: ToolCheck[] = [];
  if (!fs.existsSync(JUPYTER)) {
    out.push({ name: 'jupyter', ok: false, detail: `${JUPYTER} not found (apt-get install -y jupyter-nbconvert jupyter-notebook python3-ipykernel)` });
    return out;
  }
  try {
    out.push({ name: 'jupyter nbconvert', ok: true, detail: run(JUPYTER, ['nbconvert', '--version']) });
  } catch (e) {
    out.push({ name: 'jupyter nbconvert', ok: false, detail: (e as Error).message.split('\n')[0] });
  }
  out.push(checkTslabKernel(root));
  return out;
}

export function findChromium(): string | null {
  return CHROMIUM_CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
}

export function checkChromium(): ToolCheck {
  const bin = findChromium();
  if (!bin) return { name: 'headless chromium', ok: false, detail: 'not found (apt-get install -y chromium)' };
  try {
    return { name: 'headless chromium', ok: true, detail: `${bin}: ${run(bin, ['--version'])}` };
  } catch (e) {
    return { name: 'headless chromium', ok: false, detail: (e as Error).message.split('\n')[0] };
  }
}

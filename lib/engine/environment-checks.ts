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
  try {
    const list = run(JUPYTER, ['kernelspec', 'list'], { JUPYTER_PATH: projectJupyterPath(root) });
    const ok = /\btslab\b/.test(list);
    out.push({ name: 'tslab kernel', ok, detail: ok ? 'registered in .jupyter/' : 'not registered: npm run setup-jupyter' });
  } catch (e) {
    out.push({ name: 'tslab kernel', ok: false, detail: (e as Error).message.split('\n')[0] });
  }
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

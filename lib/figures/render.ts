/**
 * Renders figure data: standalone HTML (plotly.js-dist, referenced from results/assets/ so every
 * page works offline without repeating the 10 MB bundle) and PNG through headless Debian Chromium
 * driven by playwright-core (never a downloaded browser). One browser serves a whole batch.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findChromium } from '../engine/environment-checks';
import { writeFileAtomic } from '../util/atomic-file';
import { KitError } from '../util/errors';
import type { FigureData } from './figure-data';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function plotlyBundlePath(): string {
  return require.resolve('plotly.js-dist');
}

/** Copies the plotly bundle into `<resultsRoot>/assets/plotly.js` if it is missing or stale. */
export function ensurePlotlyAsset(resultsRoot: string): string {
  const dest = path.join(resultsRoot, 'assets', 'plotly.js');
  const src = plotlyBundlePath();
  if (!fs.existsSync(dest) || fs.statSync(dest).size !== fs.statSync(src).size) {
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(src, dest);
  }
  return dest;
}

/**
 * A copy of `fig` whose layout images given as paths (relative to `baseDir`, the experiment's
 * results folder) are inlined as data URIs, so the HTML stands alone and the PNG renderer (an
 * about:blank page) can draw them. The figure data itself keeps the paths.
 */
export function inlineLocalImages(fig: FigureData, baseDir: string): FigureData {
  const images = fig.layout.images as { source?: string }[] | undefined;
  if (!Array.isArray(images)) return fig;
  const inlined = images.map((im) => {
    if (typeof im.source !== 'string' || /^(data:|https?:|file:)/.test(im.source)) return im;
    const file = path.join(baseDir, im.source);
    if (!fs.existsSync(file)) throw new KitError(`figure ${fig.id} shows ${im.source}, which is missing from ${baseDir}`, { hint: 'run the stage that makes it again (oms-dpm reproduce --from front-ddim)' });
    return { ...im, source: `data:image/png;base64,${fs.readFileSync(file).toString('base64')}` };
  });
  return { ...fig, layout: { ...fig.layout, images: inlined } };
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function figureHtml(fig: FigureData, plotlySrc: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(fig.title)}</title>
<script src="${plotlySrc}"></script></head>
<body style="font-family: sans-serif; max-width: 800px; margin: 1em auto">
<div id="fig"></div>
<p>${escapeHtml(fig.caption)}</p>
<p style="color:#666; font-size: small">figure data: ${escapeHtml(fig.id)}.json; built from ${fig.sources.map(escapeHtml).join(', ')}</p>
<script>Plotly.newPlot('fig', ${JSON.stringify(fig.data)}, ${JSON.stringify(fig.layout)}, {staticPlot: false, displaylogo: false});</script>
</body></html>
`;
}

/** PNGs of many figures with one headless Chromium. */
export async function renderPngs(figs: { fig: FigureData; file: string }[]): Promise<void> {
  if (figs.length === 0) return;
  const exe = findChromium();
  if (!exe) throw new KitError('PNG export needs a headless Chromium and none was found', { hint: 'apt-get install -y chromium (bash scripts/setup.sh installs it)' });
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const browser = await chromium.launch({ executablePath: exe, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.addScriptTag({ path: plotlyBundlePath() });
    for (const { fig, file } of figs) {
      const width = Number(fig.layout.width ?? 760);
      const height = Number(fig.layout.height ?? 460);
      // Runs in the page (a string, so this Node-side code needs no DOM types).
      const script = `(async (a) => {
        const div = document.createElement('div');
        document.body.appendChild(div);
        await Plotly.newPlot(div, a.data, a.layout, { staticPlot: true });
        const url = await Plotly.toImage(div, { format: 'png', width: a.width, height: a.height, scale: 1 });
        Plotly.purge(div);
        div.remove();
        return url;
      })(${JSON.stringify({ data: fig.data, layout: fig.layout, width, height })})`;
      const dataUrl = (await page.evaluate(script)) as string;
      writeFileAtomic(file, Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
    }
  } finally {
    await browser.close();
  }
}

/**
 * PNGs of `figs` in memory (for notebooks, which show them inline): rendered in a temporary folder
 * with the figures' local images inlined from `baseDir` (the experiment's results folder).
 */
export async function figurePngs(figs: FigureData[], baseDir: string): Promise<{ fig: FigureData; png: Buffer }[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'omsdpm-fig-'));
  try {
    const jobs = figs.map((fig) => ({ fig: inlineLocalImages(fig, baseDir), file: path.join(tmp, `${fig.id}.png`) }));
    await renderPngs(jobs);
    return figs.map((fig, i) => ({ fig, png: fs.readFileSync(jobs[i].file) }));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

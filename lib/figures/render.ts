/**
 * Renders figure data: standalone HTML (plotly.js-dist, referenced from results/assets/ so every
 * page works offline without repeating the 10 MB bundle) and PNG through headless Debian Chromium
 * driven by playwright-core (never a downloaded browser), stored as grey or RGB without loss. One
 * browser serves a whole batch.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compactPng } from '../data/png-compact';
import { findChromium } from '../util/environment-checks';
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

/** The figure's layout images given as paths (relative to the experiment's results folder), with the file each names. */
function localImages(fig: FigureData, baseDir: string): { images: { source?: string }[]; files: (string | null)[] } | null {
  const images = fig.layout.images as { source?: string }[] | undefined;
  if (!Array.isArray(images)) return null;
  const files = images.map((im) => {
    if (typeof im.source !== 'string' || /^(data:|https?:|file:)/.test(im.source)) return null;
    const file = path.join(baseDir, im.source);
    if (!fs.existsSync(file)) throw new KitError(`figure ${fig.id} shows ${im.source}, which is missing from ${baseDir}`, { hint: 'run the stage that makes it again (oms-dpm reproduce --from front-ddim)' });
    return file;
  });
  return { images, files };
}

/**
 * A copy of `fig` whose layout images given as paths (relative to `baseDir`, the experiment's
 * results folder) are inlined as data URIs, for the PNG renderer (an about:blank page, which
 * cannot reach local files) and notebooks. The figure data itself keeps the paths.
 */
export function inlineLocalImages(fig: FigureData, baseDir: string): FigureData {
  const local = localImages(fig, baseDir);
  if (!local) return fig;
  const inlined = local.images.map((im, i) => (local.files[i] ? { ...im, source: `data:image/png;base64,${fs.readFileSync(local.files[i]!).toString('base64')}` } : im));
  return { ...fig, layout: { ...fig.layout, images: inlined } };
}

/**
 * A copy of `fig` whose layout images given as paths (relative to `baseDir`) are relative URLs
 * from `pageDir`, the folder of the HTML page that shows it: the page links the PNG grids rather
 * than embedding them (plotly sets an interactive plot's image href as given, so a page opened
 * from file:// or served over HTTP draws them). The files must exist.
 */
export function linkLocalImages(fig: FigureData, baseDir: string, pageDir: string): FigureData {
  const local = localImages(fig, baseDir);
  if (!local) return fig;
  const linked = local.images.map((im, i) => (local.files[i] ? { ...im, source: encodeURI(path.relative(pageDir, local.files[i]!).split(path.sep).join('/')) } : im));
  return { ...fig, layout: { ...fig.layout, images: linked } };
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A standalone page of `fig`. The plot is interactive (staticPlot false), which is also what lets it
 * link local images: plotly then sets an image's href as given, whereas a static plot fetches it in
 * CORS mode, which a page opened from file:// is refused.
 */
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
      // Chromium's PNG is RGBA: re-encoded losslessly as grey or RGB (half the bytes or less)
      writeFileAtomic(file, compactPng(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64')));
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
    // the files only carry the PNGs from the renderer to memory: nothing in the folder is kept
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

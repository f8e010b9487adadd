/**
 * Writes an experiment's figures (figure data JSON, HTML, PNG) under results/<experiment>/figures/
 * (the HTML links the images a figure shows, the PNG has them drawn in) and the report index
 * results/index.html linking every experiment's figures with captions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { figuresCommandFor } from '../zoo/workspace';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-file';
import type { FigureData } from './figure-data';
import { ensurePlotlyAsset, figureHtml, inlineLocalImages, linkLocalImages, renderPngs } from './render';
import { readJsonFile } from '../util/json-file';

export async function writeFigures(resultsRoot: string, experimentDir: string, figures: FigureData[], png: boolean): Promise<string[]> {
  ensurePlotlyAsset(resultsRoot);
  const dir = path.join(experimentDir, 'figures');
  fs.mkdirSync(dir, { recursive: true });
  const rel = path.relative(dir, path.join(resultsRoot, 'assets', 'plotly.js')).split(path.sep).join('/');
  const written: string[] = [];
  for (const fig of figures) {
    writeJsonAtomic(path.join(dir, `${fig.id}.json`), fig);
    // the page links the figure's images (sample grids) rather than embedding them: results/ keeps one copy
    writeFileAtomic(path.join(dir, `${fig.id}.html`), figureHtml(linkLocalImages(fig, experimentDir, dir), rel));
    written.push(path.join(dir, `${fig.id}.json`));
  }
  if (png) await renderPngs(figures.map((fig) => ({ fig: inlineLocalImages(fig, experimentDir), file: path.join(dir, `${fig.id}.png`) })));
  return written;
}

/** results/index.html: every experiment folder's figures, with title, caption and links. */
export function writeIndex(resultsRoot: string): string {
  const sections: string[] = [];
  // results/<experiment>@<profile> (smoke runs, CI goldens) are checks that the stages run, not an
  // experiment's results: their figures stay in their own folder and out of the index.
  const exps = fs.existsSync(resultsRoot) ? fs.readdirSync(resultsRoot).filter((d) => !d.includes('@') && fs.existsSync(path.join(resultsRoot, d, 'figures'))).sort() : [];
  for (const e of exps) {
    const figDir = path.join(resultsRoot, e, 'figures');
    const items = fs.readdirSync(figDir).filter((f) => f.endsWith('.json')).sort().map((f) => {
      const fig = readJsonFile<FigureData>(path.join(figDir, f), 'figure data', `rebuild it: ${figuresCommandFor(e)}`);
      const base = `${e}/figures/${fig.id}`;
      const img = fs.existsSync(path.join(figDir, `${fig.id}.png`)) ? `<a href="${base}.html"><img src="${base}.png" style="max-width:380px"></a>` : '';
      return `<li><a href="${base}.html"><b>${fig.title}</b></a><br>${fig.caption}<br>${img}</li>`;
    });
    sections.push(`<h2>${e}</h2>\n<ul>\n${items.join('\n')}\n</ul>`);
  }
  const file = path.join(resultsRoot, 'index.html');
  writeFileAtomic(file, `<!doctype html>\n<html><head><meta charset="utf-8"><title>OMS-DPM kit: results</title></head>\n<body style="font-family: sans-serif; max-width: 900px; margin: 1em auto">\n<h1>OMS-DPM kit: results</h1>\n${sections.join('\n')}\n</body></html>\n`);
  return file;
}

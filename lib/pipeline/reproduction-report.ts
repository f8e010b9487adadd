/**
 * Committed against reproduced, side by side: after `oms-dpm reproduce` recomputed an experiment in
 * its own run folder (reproduction.ts), the key numbers of each stage in both folders and a verdict
 * per figure, as console lines and as a report page (reproduction.json + reproduction.html in the
 * reproduced experiment's results folder).
 *
 * Key numbers: every number of each stage's manifest summary (latencies, Kendall tau, speed-ups,
 * held-out losses, sample quality, ...); the front's held-out FIDs per series and budget with the
 * difference in units of the committed bootstrap interval's half-width, and OMS-DPM's wins / ties /
 * losses; the schedule-FID records scored in both runs (same id and schedule): their largest FID
 * difference; the first observation's points likewise. Figures: figureVerdicts (compare-committed.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetFile } from '../collection/collect';
import { readDataset, type ScheduleRecord } from '../collection/dataset-file';
import type { ResolvedExperiment } from '../config/index';
import { observationFile } from '../evaluation/observation-run';
import { frontFile } from '../front/experiment-front';
import type { FrontData } from '../front/front-data';
import { SOLVERS } from '../schedule/index';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-file';
import { readJsonIfExists } from '../util/json-file';
import { resultsDir } from '../zoo/workspace';
import { figureVerdicts, type FigureVerdict } from './compare-committed';
import { manifestFile } from './manifest';
import type { StageManifest } from './manifest';

/** One quantity in both runs. `difference` is text: its unit depends on the quantity. */
export interface KeyNumber {
  stage: string;
  quantity: string;
  committed: number | string | null;
  reproduced: number | string | null;
  difference: string;
  /** the difference as a number, where it is one: reproduced - committed; front FIDs: in interval half-widths; paired records: the largest |FID difference| */
  measure?: number;
}

export interface ReproductionComparison {
  experiment: string;
  committedDir: string;
  reproducedDir: string;
  keyNumbers: KeyNumber[];
  figures: FigureVerdict[];
  /** how figures are judged: which fields must agree, which may not repeat */
  tolerances: string;
}

const TOLERANCES =
  'A figure is "same" when every field agrees within the figure regression\'s default tolerances (1e-6 relative on plotted values, exact elsewhere); ' +
  '"reproduced" when only measured times and what follows from them differ (latencies set the front\'s budgets and so its picks, schedule strips and sample grids; the zoo table\'s times; the cost-model check\'s clock readings); ' +
  '"differs" when a field that does not depend on timing differs; "new" when nothing is committed to compare with.';

/** The file `fileOf` names for `exp`, relative to its results folder (so it can be looked up in both runs). */
function relativeFile(exp: ResolvedExperiment, fileOf: (e: ResolvedExperiment) => string): string {
  return path.relative(resultsDir(exp), fileOf(exp));
}

function numberText(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(3);
}

function differenceText(a: number | string | null, b: number | string | null): string {
  if (a === null || b === null) return a === b ? '' : 'only in one run';
  if (typeof a === 'number' && typeof b === 'number') {
    const d = b - a;
    if (d === 0) return 'equal';
    return `${d > 0 ? '+' : ''}${numberText(d)}${a !== 0 ? ` (${d > 0 ? '+' : ''}${((100 * d) / Math.abs(a)).toFixed(1)}%)` : ''}`;
  }
  return a === b ? 'equal' : 'differs';
}

/**
 * The numeric and string leaves of a manifest summary by path. Arrays of objects are keyed by
 * their id / modelId / budget when they have one, so entries pair up across the two runs.
 */
export function summaryLeaves(value: unknown, prefix = ''): Map<string, number | string> {
  const out = new Map<string, number | string>();
  const visit = (v: unknown, p: string, keyField?: string) => {
    if (typeof v === 'number' || typeof v === 'string') out.set(p, v);
    else if (Array.isArray(v)) {
      v.forEach((x, i) => {
        const o = x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : null;
        const field = o ? ['id', 'modelId', 'budget'].find((f) => o[f] !== undefined) : undefined;
        // budgets follow the measured latencies, so two runs' grids differ slightly: entries pair by grid position
        const key = field === undefined ? i : field === 'budget' ? `budget ${i + 1}` : o![field];
        visit(x, `${p}[${key}]`, field);
      });
    } else if (v && typeof v === 'object') {
      // the field an entry is keyed by is in its path already
      for (const [k, x] of Object.entries(v)) if (k !== keyField) visit(x, p ? `${p}.${k}` : k);
    }
  };
  visit(value, prefix);
  return out;
}

function manifestNumbers(stage: string, committed: StageManifest | null, reproduced: StageManifest | null): KeyNumber[] {
  const a = summaryLeaves(committed?.summary);
  const b = summaryLeaves(reproduced?.summary);
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  return keys.map((quantity) => {
    const c = a.get(quantity) ?? null;
    const r = b.get(quantity) ?? null;
    return { stage, quantity, committed: c, reproduced: r, difference: differenceText(c, r), ...(typeof c === 'number' && typeof r === 'number' ? { measure: r - c } : {}) };
  });
}

/** The front's held-out FIDs per series and budget, and OMS-DPM's wins / ties / losses. */
export function frontNumbers(stage: string, committed: FrontData | null, reproduced: FrontData | null): KeyNumber[] {
  if (!committed || !reproduced) return [];
  const rows: KeyNumber[] = [];
  // the budgets follow the measured latencies, so the two grids differ slightly: points pair by grid position
  const position = (f: FrontData, budget: number) => [...f.budgets].sort((a, b) => a - b).indexOf(budget);
  for (const s of committed.series) {
    const other = reproduced.series.find((x) => x.name === s.name);
    for (const p of s.points) {
      const k = position(committed, p.budget);
      const q = other?.points.find((x) => position(reproduced, x.budget) === k) ?? null;
      const half = (p.fidHigh - p.fidLow) / 2;
      const units = q && half > 0 ? ` = ${((q.fid - p.fid) / half).toFixed(2)} interval half-widths` : '';
      rows.push({
        stage,
        quantity: `${s.name} FID at budget ${k + 1} (C=${p.budget}${q && q.budget !== p.budget ? ` / ${q.budget}` : ''} ms; held-out, ${committed.heldOut.level * 100}% interval ${numberText(p.fidLow)}-${numberText(p.fidHigh)})`,
        committed: p.fid,
        reproduced: q?.fid ?? null,
        difference: q ? `${differenceText(p.fid, q.fid)}${units}${sameSchedule(p.schedule, q.schedule) ? ', same schedule' : ', another schedule'}` : 'no point in the reproduction',
        ...(q && half > 0 ? { measure: (q.fid - p.fid) / half } : {}),
      });
    }
  }
  const tally = (f: FrontData) => {
    const t = { win: 0, tie: 0, loss: 0 };
    for (const c of f.comparisons) t[c.verdict]++;
    return `${t.win} / ${t.tie} / ${t.loss}`;
  };
  rows.push({ stage, quantity: 'OMS-DPM against the baselines: wins / ties / losses', committed: tally(committed), reproduced: tally(reproduced), difference: differenceText(tally(committed), tally(reproduced)) });
  return rows;
}

const sameSchedule = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Records scored in both runs (same id and schedule): how many, and their largest FID difference. */
export function pairedFidNumbers(stage: string, what: string, committed: { key: string; fid: number }[], reproduced: { key: string; fid: number }[]): KeyNumber[] {
  if (committed.length === 0 || reproduced.length === 0) return [];
  const byKey = new Map(committed.map((r) => [r.key, r.fid]));
  const diffs = reproduced.flatMap((r) => (byKey.has(r.key) ? [Math.abs(r.fid - byKey.get(r.key)!)] : []));
  const mean = (xs: { fid: number }[]) => xs.reduce((s, x) => s + x.fid, 0) / xs.length;
  return [
    { stage, quantity: `${what}`, committed: committed.length, reproduced: reproduced.length, difference: differenceText(committed.length, reproduced.length) },
    { stage, quantity: `mean FID of the ${what}`, committed: mean(committed), reproduced: mean(reproduced), difference: differenceText(mean(committed), mean(reproduced)) },
    {
      stage,
      quantity: `${what} in both runs (same id and schedule)`,
      committed: diffs.length,
      reproduced: diffs.length,
      difference: diffs.length ? `largest |FID difference| ${Math.max(...diffs).toPrecision(3)}` : 'none paired',
      ...(diffs.length ? { measure: Math.max(...diffs) } : {}),
    },
  ];
}

function records(file: string): { key: string; fid: number }[] {
  if (!fs.existsSync(file)) return [];
  return readDataset(file).records.map((r: ScheduleRecord) => ({ key: `${r.id}:${r.schedule.join(',')}`, fid: r.fid }));
}

function observationPoints(file: string): { key: string; fid: number }[] {
  const o = readJsonIfExists<{ points: { series: string; x: number; fid: number }[] }>(file, 'first observation');
  return (o?.points ?? []).map((p) => ({ key: `${p.series}@${p.x}`, fid: p.fid }));
}

/**
 * Committed (`committedDir`) against reproduced (`reproducedDir`) for the stages named: the key
 * numbers and a verdict per figure. `exp` names the files (their paths relative to a results folder).
 */
export function compareReproduction(exp: ResolvedExperiment, stages: string[], committedDir: string, reproducedDir: string): ReproductionComparison {
  const keyNumbers: KeyNumber[] = [];
  const both = <T>(rel: string, read: (file: string) => T): [T, T] => [read(path.join(committedDir, rel)), read(path.join(reproducedDir, rel))];
  for (const stage of stages) {
    const manifests = both(relativeFile(exp, (e) => manifestFile(e, stage)), (f) => readJsonIfExists<StageManifest>(f, 'stage manifest'));
    keyNumbers.push(...manifestNumbers(stage, ...manifests));
    const solver = SOLVERS.find((s) => stage.endsWith(`-${s}`));
    if (stage === 'observation') keyNumbers.push(...pairedFidNumbers(stage, 'observation points', ...both(relativeFile(exp, observationFile), observationPoints)));
    if (solver && stage.startsWith('collection-')) keyNumbers.push(...pairedFidNumbers(stage, 'records', ...both(relativeFile(exp, (e) => datasetFile(e, solver)), records)));
    if (solver && stage.startsWith('front-')) keyNumbers.push(...frontNumbers(stage, ...both(relativeFile(exp, (e) => frontFile(e, solver)), (f) => readJsonIfExists<FrontData>(f, 'front'))));
  }
  return { experiment: path.basename(committedDir), committedDir, reproducedDir, keyNumbers, figures: figureVerdicts(reproducedDir, committedDir), tolerances: TOLERANCES };
}

const cell = (v: number | string | null) => (v === null ? '' : typeof v === 'number' ? numberText(v) : v);

/** The comparison as console lines: per stage, quantity | committed | reproduced | difference; then the figures. */
export function reproductionLines(c: ReproductionComparison): string[] {
  const lines: string[] = [`committed ${c.committedDir}  against  reproduced ${c.reproducedDir}`];
  let stage = '';
  for (const k of c.keyNumbers) {
    if (k.stage !== stage) lines.push(`stage ${(stage = k.stage)}:`);
    lines.push(`  ${k.quantity}: committed ${cell(k.committed)} | reproduced ${cell(k.reproduced)} | ${k.difference}`);
  }
  const count = (v: string) => c.figures.filter((f) => f.verdict === v).length;
  lines.push(`figures: ${count('same')} same, ${count('reproduced')} reproduced (timing-dependent fields aside), ${count('differs')} differ, ${count('new')} new`);
  for (const f of c.figures) lines.push(`  ${f.sentence}`);
  return lines;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The report page (standalone HTML, no scripts). */
export function reproductionHtml(c: ReproductionComparison): string {
  const stages = [...new Set(c.keyNumbers.map((k) => k.stage))];
  const tables = stages.map((s) => {
    const rows = c.keyNumbers.filter((k) => k.stage === s).map((k) => `<tr><td>${escape(k.quantity)}</td><td>${escape(cell(k.committed))}</td><td>${escape(cell(k.reproduced))}</td><td>${escape(k.difference)}</td></tr>`);
    return `<h2>${escape(s)}</h2>\n<table><tr><th>quantity</th><th>committed</th><th>reproduced</th><th>difference</th></tr>\n${rows.join('\n')}</table>`;
  });
  const figures = c.figures.map((f) => `<tr class="${f.verdict}"><td>${escape(f.id)}</td><td>${f.verdict}</td><td>${escape(f.sentence)}</td></tr>`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(c.experiment)}: committed against reproduced</title>
<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
tr.same td:nth-child(2),tr.reproduced td:nth-child(2){color:#070}tr.differs td:nth-child(2){color:#a00}</style></head><body>
<h1>${escape(c.experiment)}: committed against reproduced</h1>
<p>committed: <code>${escape(c.committedDir)}</code><br>reproduced: <code>${escape(c.reproducedDir)}</code></p>
<h2>figures</h2><p>${escape(c.tolerances)}</p>
<table><tr><th>figure</th><th>verdict</th><th>detail</th></tr>\n${figures.join('\n')}</table>
${tables.join('\n')}
</body></html>
`;
}

/** Writes reproduction.json and reproduction.html into the reproduced experiment folder; returns the page's path. */
export function writeReproductionReport(c: ReproductionComparison): string {
  writeJsonAtomic(path.join(c.reproducedDir, 'reproduction.json'), c);
  const page = path.join(c.reproducedDir, 'reproduction.html');
  writeFileAtomic(page, reproductionHtml(c));
  return page;
}

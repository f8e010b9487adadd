/**
 * lib/ is a stack of layers: every relative import points down the stack or sideways within one
 * folder, and no files import each other in a circle. A reader who follows imports then only ever
 * meets what the file stands on. Type-only imports count too: they are still a dependency a reader
 * follows. Each folder of lib/ is placed on a floor below; folders that share a floor do not import
 * each other. A new folder must be placed here before the test passes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Bottom to top; each entry is one floor, with the reason it sits there. */
const FLOORS: { folders: string[]; why: string }[] = [
  { folders: ['util'], why: 'files, JSON lines, locks, errors, seeded randomness, child processes, tool checks: nothing about diffusion' },
  { folders: ['data', 'tfjs'], why: 'datasets, and the TF.js backend with its custom kernels: each stands on util alone' },
  { folders: ['config', 'diffusion'], why: 'the experiment schema and provenance; the UNet, its training and noise schedule on TF.js' },
  { folders: ['schedule'], why: 'model schedules: encoding, validation and cost, read from the config and the noise schedule' },
  { folders: ['samplers'], why: 'DDIM and DPM-Solver as functions of a denoiser, routed by a model schedule' },
  { folders: ['onnx'], why: 'the UNet exported to ONNX and run on ONNX Runtime as a denoiser' },
  { folders: ['zoo'], why: 'the trained zoo: training, where its files live, members loaded on either sampling engine' },
  { folders: ['metrics'], why: 'FID and sample quality of the images the zoo draws' },
  { folders: ['evaluation'], why: 'a schedule in, an FID record out, on a pool of scoring workers or a queue' },
  { folders: ['collection'], why: 'the schedule-FID dataset, collected on the scoring backend' },
  { folders: ['predictor'], why: 'the schedule-FID ranking predictor and ensembles of it (bootstrap resamples), trained on the collection' },
  { folders: ['search'], why: 'evolutionary search under a time budget, scored by the predictor' },
  { folders: ['front'], why: 'the FID-vs-cost front: searched picks and baselines scored on held-out images' },
  { folders: ['active'], why: "active collection: the schedule-FID dataset grown where a predictor ensemble's search over the front's budget grid points; it trains predictors, searches and scores records" },
  { folders: ['study'], why: 'the collection study: predictors and fronts trained on parts of the random and the active dataset, compared at equal record counts' },
  { folders: ['figures'], why: 'figure data and renderers, read from the result files of every layer below' },
  { folders: ['pipeline', 'bench'], why: 'the two runners over the library, the stages of `reproduce` and the speed report' },
  { folders: ['cli'], why: 'the `oms-dpm` commands: options in, a library call, output printed' },
];

const lib = path.join(__dirname, '..', '..', 'lib');
const rel = (p: string) => path.relative(path.dirname(lib), p).split(path.sep).join('/');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The .ts file a relative import names ('./x', './x.ts', './x.js', or a folder's index). */
function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  const stem = base.replace(/\.(js|ts)$/, '');
  for (const c of [base, `${stem}.ts`, path.join(base, 'index.ts')]) {
    if (c.endsWith('.ts') && fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  }
  return undefined;
}

/** Every relative import of lib/: static, `export ... from`, `import type`, bare `import '...'`, dynamic and require. */
function importGraph(): Map<string, string[]> {
  const re = /(?:from\s+|import\s*\(\s*|require\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]*)['"]/gm;
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(lib)) {
    const src = fs.readFileSync(file, 'utf8');
    const targets = new Set<string>();
    for (const m of src.matchAll(re)) {
      const target = resolve(file, m[1]);
      if (target && target !== file) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

const folderOf = (file: string) => path.relative(lib, file).split(path.sep)[0];

/** Strongly connected components with more than one file (Tarjan): the files that import each other in a circle. */
function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/** One concrete cycle inside a strongly connected component, starting from its first file. */
function cycleThrough(graph: Map<string, string[]>, scc: Set<string>): string[] {
  const start = [...scc].sort()[0];
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!scc.has(w)) continue;
      if (w === start) {
        const cycle = [v];
        while (cycle[0] !== start) cycle.unshift(prev.get(cycle[0])!);
        return cycle;
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...scc].sort();
}

test('every import in lib/ points down the layers, and no files import each other in a circle', () => {
  const floorOf = new Map<string, number>();
  FLOORS.forEach((f, i) => f.folders.forEach((folder) => floorOf.set(folder, i)));
  const graph = importGraph();
  const problems: string[] = [];

  const folders = fs.readdirSync(lib, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const folder of folders) {
    if (!floorOf.has(folder)) problems.push(`lib/${folder}/ is on no floor: place it in FLOORS (test/lint/import-layers.test.ts)`);
  }
  for (const placed of floorOf.keys()) {
    if (!folders.includes(placed)) problems.push(`FLOORS places lib/${placed}/, which does not exist`);
  }
  for (const file of graph.keys()) {
    if (path.dirname(file) === lib) problems.push(`${rel(file)} sits directly in lib/: put it in a folder`);
  }

  const arrows = new Set<string>();
  const arrowsUp = new Set<string>();
  let importsUp = 0;
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    for (const target of targets) {
      const to = folderOf(target);
      if (from === to) continue;
      arrows.add(`${from} -> ${to}`);
      const a = floorOf.get(from);
      const b = floorOf.get(to);
      if (a === undefined || b === undefined || a > b) continue;
      arrowsUp.add(`${from} -> ${to}`);
      importsUp++;
      const how = a === b ? 'shares its floor with' : 'imports';
      problems.push(`${rel(file)} -> ${rel(target)}: ${from} (floor ${a}) ${how} ${to} (floor ${b})`);
    }
  }

  const found = circles(graph);
  for (const scc of found) {
    const cycle = cycleThrough(graph, new Set(scc));
    const rest = scc.filter((f) => !cycle.includes(f));
    problems.push(
      `import circle among ${scc.length} files: ${[...cycle, cycle[0]].map(rel).join(' -> ')}` +
        (rest.length > 0 ? ` (also in it: ${rest.map(rel).join(', ')})` : ''),
    );
  }

  console.log(
    `lib/: ${folders.length} folders on ${FLOORS.length} floors, ${graph.size} files; ` +
      `${arrows.size} import arrows between folders, ${arrowsUp.size} of them up or sideways across folders ` +
      `(${importsUp} imports); ${found.length} import circles`,
  );
  for (const a of [...arrowsUp].sort()) console.log(`  arrow up: ${a}`);
  assert.deepEqual(problems, [], `lib/'s layering is broken:\n${problems.join('\n')}`);
});

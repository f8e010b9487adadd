#!/usr/bin/python3
"""Writes the tslab notebooks in notebooks/ from the cell sources below (one place to edit them).
Each notebook takes the experiment and profile from its first cell (environment variables
OMS_DPM_EXPERIMENT / OMS_DPM_PROFILE, so `npm run notebooks` can run them on the smoke profile)
and calls only lib/. The kernel starts in the repository root, so imports are './lib/...'."""
import json, os

HEADER = """// Experiment and profile: change here, or set OMS_DPM_EXPERIMENT / OMS_DPM_PROFILE.
const EXPERIMENT = process.env.OMS_DPM_EXPERIMENT ?? 'mnist';
const PROFILE = process.env.OMS_DPM_PROFILE ?? 'default';"""

# Note: tslab rewrites top-level names of earlier cells to exports.<name> but misses object-literal
# shorthand ({ exp }), so cells write { exp: exp }.
SETUP = """import * as fs from 'fs';
import * as tslab from 'tslab';
import { loadExperiment } from './lib/config/index';
import { initBackend } from './lib/engine/backend';
const exp = loadExperiment(EXPERIMENT, { profile: PROFILE });
const backend = await initBackend();
tslab.display.markdown(`**${exp.config.name}** (profile ${exp.profile}, config ${exp.hash}) on TF.js ${backend.backend}: ${exp.config.zoo.length} zoo models`);"""

NOTEBOOKS = {
  '01-zoo.ipynb': [
    ('markdown', '# 1. The model zoo\nTrains (or reuses) every zoo model of the experiment, then shows the zoo table, the loss curves, the held-out loss per timestep and a sample grid per model. Training skips models whose weights already exist for the same config.'),
    ('code', HEADER), ('code', SETUP),
    ('code', """import { trainZoo } from './lib/zoo/train-zoo';
let last = 0;
const summaries = await trainZoo(exp, { resume: true, grid: { count: 16, steps: 20 }, onProgress: (id, p) => {
  if (Date.now() - last > 30000) { last = Date.now(); console.log(`${id}: step ${p.step}/${p.iterations}, loss ${p.loss.toFixed(4)}`); } } });
console.log(summaries.map((s) => `${s.modelId}: ${s.params} params, ${s.steps} steps${s.skipped ? ' (already trained)' : ''}`).join('\\n'));"""),
    ('code', """// The zoo as a danfojs table
const dfd = require('danfojs-node');
const df = new dfd.DataFrame(summaries.map((s) => ({ model: s.modelId, params: s.params, steps: s.steps, secondsPerStep: Number(s.secondsPerStep.toFixed(2)) })));
df.print();"""),
    ('code', """// Loss curves, rendered to PNG with headless Chromium
import { buildFigures } from './lib/figures/build-figures';
import { figurePngs } from './lib/figures/render';
import { resultsDir } from './lib/zoo/workspace';
for (const { png } of await figurePngs(buildFigures(exp).figures.filter((f) => f.id === 'loss-curves'), resultsDir(exp))) tslab.display.png(png);"""),
    ('code', """// Held-out loss per timestep: EMA weights on the validation split, the same noised images for every
// model (measured by `reproduce`'s validation-loss stage; measured here if that has not run yet)
import { writeValidationLoss } from './lib/zoo/validation-loss-report';
import { chooseSamplingEngine } from './lib/zoo/sampling-engine';
import { validationLossFile } from './lib/zoo/workspace';
if (!fs.existsSync(validationLossFile(exp))) await writeValidationLoss(exp, await chooseSamplingEngine({ backend: backend }), { threads: 2 });
for (const { png } of await figurePngs(buildFigures(exp).figures.filter((f) => f.id === 'validation-loss'), resultsDir(exp))) tslab.display.png(png);"""),
    ('code', """// Sample grids (DDIM from the fixed noise bank): each grid drawn when the model was trained, at the
// step count of whatever trained it (reproduce: 50, this notebook: 20)
import * as path from 'path';
import { zooPaths } from './lib/zoo/workspace';
for (const m of exp.config.zoo) {
  const dir = zooPaths(exp, m.id).dir;
  const grids = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^samples-ddim\\d+\\.png$/.test(f)).sort() : [];
  if (grids.length === 0) tslab.display.markdown(`**${m.id}**: no sample grid yet`);
  for (const g of grids) { tslab.display.markdown(`**${m.id}**, DDIM ${g.match(/\\d+/)![0]} steps`); tslab.display.png(fs.readFileSync(path.join(dir, g))); }
}"""),
  ],
  '02-schedules.ipynb': [
    ('markdown', '# 2. Model schedules\nA model schedule says which zoo model runs at each step. This notebook decodes a DDIM and a DPM-Solver schedule in the official integer encoding into the network calls they make, and draws random schedules from the dataset distribution (method doc section 4).'),
    ('code', HEADER), ('code', SETUP),
    ('code', """import { evaluations, nfe, randomSchedules, formatSchedule } from './lib/schedule/index';
import { vpOf } from './lib/evaluation/sample-schedule';
const N = exp.config.zoo.length;
const ddim = [0, 1, 0, 0, 2, 0, 0, N, 0, N];
const dpm = [1, 2, Math.min(3, N), 0, 0, 0, N, 0, 0, Math.min(2, N), N, 0];
for (const [solver, s] of [['ddim', ddim], ['dpm-solver', dpm]] as const) {
  console.log(`${solver} ${formatSchedule(s)}: ${nfe(s)} NFE`);
  console.table(evaluations(solver, s, { vp: vpOf(exp), timesteps: exp.config.diffusion.timesteps }).map((e) => ({ step: e.step, order: e.order, model: exp.config.zoo[e.model - 1].id, t: e.t?.toFixed(4) ?? '', tInput: e.tInput.toFixed(1) })));
}"""),
    ('code', """// Random schedules of the schedule-FID dataset distribution
const c = exp.config.collection;
const rs = randomSchedules('dpm-solver', 5, { seed: c.seed, length: c.dpmSolverLength, numModels: N, alpha: c.dirichletAlpha, nullProb: c.nullProbability });
for (const s of rs) console.log(`${nfe(s)} NFE: ${formatSchedule(s)}`);"""),
  ],
  '03-observation.ipynb': [
    ('markdown', "# 3. The paper's first observation\nFID vs NFE of every zoo model alone (DDIM and DPM-Solver), and the small-then-large / large-then-small switch curves: the evidence that mixing models can beat every single model. Resumable: points already scored are read back."),
    ('code', HEADER), ('code', SETUP),
    ('code', """// The plan (NFEs of the single-model curves, NFE of the switch curves) is the config's observation section.
import { observeExperiment } from './lib/evaluation/experiment-observation';
import { observationPlan } from './lib/evaluation/observation-run';
import { chooseSamplingEngine } from './lib/zoo/sampling-engine';
const choice = await chooseSamplingEngine({ backend: backend });
const { data } = await observeExperiment(exp, choice, observationPlan(exp), { threads: 2 });
console.log(`${data.points.length} points, FID on ${data.images} images (${data.featureNetwork})`);"""),
    ('code', """// The FID-vs-NFE and switch figures
import { buildFigures } from './lib/figures/build-figures';
import { figurePngs } from './lib/figures/render';
import { resultsDir } from './lib/zoo/workspace';
const figs = buildFigures(exp).figures.filter((f) => f.id.startsWith('fid-vs-nfe') || f.id === 'small-large-switch');
for (const { fig, png } of await figurePngs(figs, resultsDir(exp))) { tslab.display.markdown(`**${fig.title}**: ${fig.caption}`); tslab.display.png(png); }"""),
  ],
  '04-dataset-and-predictor.ipynb': [
    ('markdown', '# 4. The schedule-FID dataset and the predictor\nSummarises the collected (schedule, FID) records per split with danfojs and shows how well the trained ranking predictor orders them (Kendall tau-b). Collection and training run through `npm run reproduce` or `oms-dpm collect` / `oms-dpm train-predictor`.'),
    ('code', HEADER), ('code', SETUP),
    ('code', """import { datasetFile } from './lib/collection/collect';
import { readDataset } from './lib/collection/dataset-file';
import { summariseSplits } from './lib/collection/summary';
for (const solver of ['ddim', 'dpm-solver'] as const) {
  const file = datasetFile(exp, solver);
  if (!fs.existsSync(file)) { console.log(`${solver}: no dataset yet (oms-dpm collect --experiment ${exp.config.name} --solver ${solver} --count N)`); continue; }
  const { records, header } = readDataset(file);
  tslab.display.markdown(`**${solver}**: ${records.length} records, FID on ${header.images} images (${header.featureNetwork})`);
  summariseSplits(records).frame.print();
}"""),
    ('code', """import * as path from 'path';
import { predictorDir } from './lib/predictor/experiment-predictor';
for (const solver of ['ddim', 'dpm-solver'] as const) {
  const m = path.join(predictorDir(exp, solver), 'metrics.json');
  if (!fs.existsSync(m)) { console.log(`${solver}: no trained predictor yet`); continue; }
  const metrics = JSON.parse(fs.readFileSync(m, 'utf8'));
  // the checkpoint is chosen on the selection records; the validation records are seen once, at the end
  const t = metrics.kendallTau;
  const n = metrics.records;
  tslab.display.markdown(`**${solver} predictor**: Kendall tau-b train ${t.train.toFixed(3)}, selection ${t.selection.toFixed(3)}, validation ${t.validation.toFixed(3)} (${n.train} + ${n.selection} + ${n.validation} records; epoch ${metrics.chosenEpoch} kept)`);
}"""),
    ('code', """// Each record is a timed run of one schedule: how well does the additive cost model (sum of per-batch
// latencies) predict it? And how well does the predictor rank the records?
import { buildFigures } from './lib/figures/build-figures';
import { figurePngs } from './lib/figures/render';
import { resultsDir } from './lib/zoo/workspace';
const figs = buildFigures(exp).figures.filter((f) => f.id.startsWith('cost-model') || f.id.startsWith('predictor-scatter'));
for (const { fig, png } of await figurePngs(figs, resultsDir(exp))) { tslab.display.markdown(`**${fig.title}**: ${fig.caption}`); tslab.display.png(png); }"""),
  ],
  '05-search-and-front.ipynb': [
    ('markdown', "# 5. Search and the FID-vs-cost front\nThe paper's Fig. 1 for this experiment: OMS-DPM's searched schedules against the best single model, the best schedule of the training set, random schedules and two-segment schedules at each time budget, and the speed-up at equal FID. Every series chooses its pick on the selection images and is reported on held-out images with a bootstrap interval; OMS-DPM's paired differences against each baseline say win, tie or loss. The fronts are computed by `npm run reproduce` or `oms-dpm front`."),
    ('code', HEADER), ('code', SETUP),
    ('code', """import * as path from 'path';
import { speedupAtEqualFid } from './lib/front/speedup';
import { resultsDir } from './lib/zoo/workspace';
for (const solver of ['ddim', 'dpm-solver']) {
  const f = path.join(resultsDir(exp), `front-${solver}.json`);
  if (!fs.existsSync(f)) { console.log(`${solver}: no front yet (oms-dpm front --experiment ${exp.config.name} --solver ${solver})`); continue; }
  const front = JSON.parse(fs.readFileSync(f, 'utf8'));
  // every pick was chosen on the selection images and is reported on the held-out ones
  tslab.display.markdown(`**${solver}**: picks chosen on noise-bank images 0..${front.selectionImages - 1}, held-out FID on ${front.heldOut.images} images from ${front.heldOut.start} (${Math.round(100 * front.heldOut.level)}% interval)`);
  console.table(speedupAtEqualFid(front).map((r) => ({ budget: r.budget, fid: r.fid.toFixed(2), cost: r.cost.toFixed(1), singleModelCost: r.baselineCost?.toFixed(1) ?? 'never', speedup: r.speedup?.toFixed(2) ?? '-' })));
  // OMS-DPM minus each baseline on the same held-out images: a win or loss only when the interval excludes 0
  console.table(front.comparisons.map((c: { budget: number; baseline: string; difference: number; low: number; high: number; verdict: string }) => ({ budget: c.budget, baseline: c.baseline, difference: c.difference.toFixed(1), interval: `[${c.low.toFixed(1)}, ${c.high.toFixed(1)}]`, verdict: c.verdict })));
}"""),
    ('code', """import { buildFigures } from './lib/figures/build-figures';
import { figurePngs } from './lib/figures/render';
const figs = buildFigures(exp).figures.filter((f) => f.id.startsWith('fid-vs-cost') || f.id.startsWith('front-table') || f.id.startsWith('schedule-strips') || f.id.startsWith('sample-comparison'));
for (const { fig, png } of await figurePngs(figs, resultsDir(exp))) { tslab.display.markdown(`**${fig.title}**: ${fig.caption}`); tslab.display.png(png); }"""),
  ],
  '06-figures.ipynb': [
    ('markdown', '# 6. All figures\nRegenerates every figure the recorded results of the experiment allow (figure data JSON, offline HTML, PNG) and shows them; figures whose stages have not run are listed with the command that makes them.'),
    ('code', HEADER), ('code', SETUP),
    ('code', """import * as path from 'path';
import { buildFigures } from './lib/figures/build-figures';
import { writeFigures, writeIndex } from './lib/figures/report';
import { resultsDir } from './lib/zoo/workspace';
const set = buildFigures(exp);
const dir = resultsDir(exp);
await writeFigures(path.dirname(dir), dir, set.figures, true);
writeIndex(path.dirname(dir));
for (const f of set.figures) {
  tslab.display.markdown(`### ${f.title}\\n${f.caption}`);
  tslab.display.png(fs.readFileSync(path.join(dir, 'figures', f.id + '.png')));
}
for (const m of set.missing) tslab.display.markdown(`*missing* ${m.id}: ${m.why}`);"""),
  ],
}

def cell(kind, src, i):
    c = {'cell_type': kind, 'id': f'c{i}', 'metadata': {}, 'source': src.splitlines(keepends=True)}
    if kind == 'code':
        c.update({'execution_count': None, 'outputs': []})
    return c

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, '..', 'notebooks')
os.makedirs(out, exist_ok=True)
for name, cells in NOTEBOOKS.items():
    nb = {'cells': [cell(k, s, i) for i, (k, s) in enumerate(cells)],
          'metadata': {'kernelspec': {'display_name': 'TypeScript (oms-dpm kit)', 'language': 'typescript', 'name': 'tslab'},
                       'language_info': {'name': 'typescript'}},
          'nbformat': 4, 'nbformat_minor': 5}
    with open(os.path.join(out, name), 'w') as f:
        json.dump(nb, f, indent=1)
        f.write('\n')
    print('wrote notebooks/' + name)

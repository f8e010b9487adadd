/**
 * Issue 21 (kill -9 at every long stage), predictor training and the front: `reproduce` SIGKILLed
 * in the middle of the predictor stage, or of the front, and then run again finishes with the same
 * figure data as a run that was never interrupted (tolerances as in resume-after-kill.test.ts).
 *
 * The predictor has no mid-training checkpoint to resume from (predictor.bin is the best-selection
 * weights so far, not a training state): the rerun trains it again. It trains in child processes;
 * these must stop with their killed parent, not train on as orphans and write their results under
 * the rerun. The front appends every FID to front-<solver>-scores.jsonl: the rerun keeps those and
 * scores only the rest.
 *
 * One uninterrupted run serves both tests (the interrupted workspaces are copies of it with the
 * stage and everything after it removed: latency is measured, so two fresh runs price schedules
 * differently). predictor.epochs is raised for every run so the predictor trains long enough
 * (~15 s) to be killed in the middle.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_TOLERANCES, MEASURED_RECORD_TIME_RULES, diffFigures } from '../../lib/figures/compare-figures';
import { cli, envFor, expDir, figures, recordLines, sleep, tiny } from '../helpers/tiny-workspace';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

const reproduce = ['reproduce', '--experiment', tiny, '--in-place', '--set', 'predictor.epochs=300', '--set', 'predictor.evalEvery=10'];

function assertSameFigures(whole: string, cut: string): void {
  const a = figures(whole);
  const b = figures(cut);
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  // Records' measured times (the cost-model figures) are clock readings; everything else must agree.
  const problems = [...a].flatMap(([f, fig]) => diffFigures(b.get(f)!, fig, [...MEASURED_RECORD_TIME_RULES, ...DEFAULT_TOLERANCES]));
  assert.deepEqual(problems, []);
}

/** A copy of the uninterrupted workspace without the files of its results folder that `removed` matches. */
function cutCopy(whole: string, name: string, removed: RegExp): string {
  const cut = tempDir(`omsdpm-${name}-`);
  fs.cpSync(whole, cut, { recursive: true });
  for (const f of fs.readdirSync(expDir(cut))) if (removed.test(f)) fs.rmSync(path.join(expDir(cut), f), { recursive: true, force: true });
  return cut;
}

/** Linux: the live (not zombie) child processes of `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    const stat = procStat(Number(d));
    return stat && stat[0] !== 'Z' && Number(stat[1]) === pid ? [Number(d)] : [];
  });
}
/** The fields of /proc/<pid>/stat after the command name (state, ppid, ...); null when gone. */
function procStat(pid: number): string[] | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}
const alive = (pid: number) => {
  const s = procStat(pid);
  return s !== null && s[0] !== 'Z';
};

/** Starts `reproduce --from <stage>` on `dir`, waits for `ready`, and SIGKILLs it; returns its pid and its child processes at the kill. */
async function killDuring(dir: string, from: string, ready: () => boolean, what: string): Promise<{ pid: number; children: number[] }> {
  const child = spawn(process.execPath, [cli, ...reproduce, '--from', from], { env: envFor(dir), stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const deadline = Date.now() + 120_000;
  while (!ready()) {
    assert.ok(Date.now() < deadline, `${what} did not start within 2 minutes`);
    assert.equal(child.exitCode, null, 'reproduce ended before it could be killed');
    await sleep(50);
  }
  const children = childrenOf(child.pid!);
  child.kill('SIGKILL');
  await exited;
  return { pid: child.pid!, children };
}

function rerun(dir: string, killedPid: number): string {
  const r = spawnSync(process.execPath, [cli, ...reproduce], { env: envFor(dir), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`took over the lock of a run that is gone \\(pid ${killedPid},`));
  return r.stdout;
}

let whole = '';
before(() => {
  whole = tempDir('omsdpm-whole-');
  const r = spawnSync(process.execPath, [cli, ...reproduce], { env: envFor(whole), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
}, { timeout: 600_000 });
after(() => removeTempDir(whole));

test('reproduce killed in the middle of predictor training, then rerun, gives the figure data of an uninterrupted run', { timeout: 600_000 }, async () => {
  const cut = cutCopy(whole, 'cut-predictor', /^(predictor-|front-|samples$|figures$)/);
  const dir = (solver: string) => path.join(expDir(cut), `predictor-${solver}`);
  const finished = (solver: string) => fs.existsSync(path.join(dir(solver), 'metrics.json'));
  // predictor.bin is written at the first evaluation (epoch 10 of 300); metrics.json when training ends
  const killed = await killDuring(cut, 'predictor-ddim', () => fs.existsSync(path.join(dir('ddim'), 'predictor.bin')), 'predictor training');
  assert.equal(finished('ddim'), false, 'the kill should land mid-training, but the ddim predictor had finished');
  const finishedAtKill = { ddim: false, 'dpm-solver': finished('dpm-solver') };
  // the predictor processes stop with their parent instead of training on as orphans
  assert.ok(killed.children.length > 0, 'found no predictor processes under reproduce (is /proc there?)');
  for (const deadline = Date.now() + 5000; killed.children.some(alive); await sleep(50)) {
    assert.ok(Date.now() < deadline, `predictor processes ${killed.children.filter(alive).join(', ')} outlived their killed parent by 5 s`);
  }
  for (const solver of ['ddim', 'dpm-solver'] as const) assert.equal(finished(solver), finishedAtKill[solver], `an orphan finished the ${solver} predictor`);

  const out = rerun(cut, killed.pid);
  assert.match(out, /stage predictor-ddim: running/);
  assert.match(out, /stage predictor-dpm-solver: running/);
  assertSameFigures(whole, cut);
  removeTempDir(cut);
});

test('reproduce killed in the middle of the front, then rerun, keeps the FIDs scored and gives the figure data of an uninterrupted run', { timeout: 600_000 }, async () => {
  const cut = cutCopy(whole, 'cut-front', /^(front-|samples$|figures$)/);
  const scores = path.join(expDir(cut), 'front-ddim-scores.jsonl');
  const total = recordLines(path.join(expDir(whole), 'front-ddim-scores.jsonl'));
  const killed = await killDuring(cut, 'front-ddim', () => recordLines(scores) >= 3, 'the front');
  const kept = recordLines(scores);
  assert.ok(kept >= 3 && kept < total, `the kill should land mid-front (${total} FIDs), found ${kept}`);
  const text = fs.readFileSync(scores, 'utf8');
  const keptText = text.slice(0, text.lastIndexOf('\n') + 1); // a line cut by the kill is dropped on resume

  const out = rerun(cut, killed.pid);
  assert.match(out, /stage predictor-ddim: up to date/);
  assert.match(out, /stage front-ddim: running/);
  // resumed: the FIDs of the killed run are kept as they were, and no schedule was scored twice
  assert.ok(fs.readFileSync(scores, 'utf8').startsWith(keptText), 'the rerun did not keep the scores of the killed run');
  assert.equal(recordLines(scores), total);
  assertSameFigures(whole, cut);
  removeTempDir(cut);
});

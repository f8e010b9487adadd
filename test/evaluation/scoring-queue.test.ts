/**
 * Collection through the scoring queue (BullMQ on a private Redis) with real `oms-dpm worker`
 * processes on the tiny test zoo (test/fixtures/tiny-mnist.yaml, TF.js WASM):
 *
 *  - two workers score a 24-record collection into the same records as the local pool (every field
 *    but the wall time `seconds`, after sorting by id);
 *  - a job submitted twice, by one submitter or two, is one job; a completed one answers a rerun;
 *  - a worker killed with SIGKILL mid-job: BullMQ's stalled-job check hands its job to the other
 *    worker, and every record is in the dataset once, equal to the local pool's;
 *  - SIGTERM: a worker finishes the job in hand and stops; a second SIGTERM puts the job back in the
 *    queue, where the next worker takes it;
 *  - a worker with another zoo refuses the jobs (the submitter stops with the reason, nothing is
 *    written);
 *  - Redis unreachable at start: a message naming the URL and how to start Redis;
 *  - Redis lost mid-run: the submitter stops with a message; a rerun (Redis back) resumes from the
 *    records already written, without duplicates;
 *  - a front (selection FIDs and held-out measures) through the queue equals the local pool's.
 *
 * The test starts its own redis-server (test/helpers/redis-server.ts); without one it fails saying
 * to run scripts/setup.sh.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'oms-dpm.js');
const tiny = path.join(root, 'test', 'fixtures', 'tiny-mnist.yaml');

const dir = tempDir('omsdpm-queue-');
const workspaces = { local: path.join(dir, 'local'), queue: path.join(dir, 'queue'), other: path.join(dir, 'other') };

function envOf(ws: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, OMS_DPM_RESULTS: path.join(ws, 'results'), OMS_DPM_RUNS: path.join(ws, 'runs'), OMS_DPM_BACKEND: 'wasm', OMS_DPM_ENGINE: 'tfjs' };
  delete e.OMS_DPM_QUEUE;
  return e;
}
// this process submits too (the duplicate-job test): the queue workspace
Object.assign(process.env, { OMS_DPM_RESULTS: path.join(workspaces.queue, 'results'), OMS_DPM_RUNS: path.join(workspaces.queue, 'runs'), OMS_DPM_BACKEND: 'wasm' });

interface Proc {
  child: ChildProcess;
  out: () => string;
  /** resolves with the match once `re` matches the output after `from` characters */
  waitFor: (re: RegExp, timeoutMs?: number, from?: number) => Promise<RegExpMatchArray>;
  exit: Promise<number | null>;
}

const procs: Proc[] = [];

function start(args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (b: Buffer) => {
    text += String(b);
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const p: Proc = {
    child,
    out: () => text,
    exit,
    waitFor: (re, timeoutMs = 120_000, from = 0) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = text.slice(from).match(re);
          if (m) {
            done();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${re} within ${timeoutMs / 1000} s in the output of oms-dpm ${args.join(' ')}:\n${text}`));
        }, timeoutMs);
        const ended = () => {
          done();
          reject(new Error(`oms-dpm ${args.join(' ')} exited before printing ${re}:\n${text}`));
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', ended);
        };
        listeners.add(check);
        child.once('exit', ended);
        check();
      }),
  };
  procs.push(p);
  return p;
}

async function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const p = start(args, env);
  const code = await p.exit;
  return { code, out: p.out() };
}

let redis: TestRedis;
const redisDir = path.join(dir, 'redis');

async function startWorker(ws: string): Promise<Proc> {
  const w = start(['worker', '--experiment', tiny, '--queue', redis.url, '--concurrency', '1'], envOf(ws));
  await w.waitFor(/worker \S+ ready/);
  return w;
}

const datasetOf = (ws: string, solver: string) => path.join(ws, 'results', 'tiny-mnist', `schedule-fid-${solver}.jsonl`);

/** The dataset's header and its records sorted by id, each without its wall time. */
function readRecords(ws: string, solver: string): { header: string; records: string[]; ids: number[] } {
  const lines = fs.readFileSync(datasetOf(ws, solver), 'utf8').split('\n').filter((l) => l.trim());
  const recs = lines.slice(1).map((l) => JSON.parse(l) as { id: number; seconds?: number });
  recs.sort((a, b) => a.id - b.id);
  return {
    header: lines[0],
    ids: recs.map((r) => r.id),
    records: recs.map(({ seconds: _s, ...r }) => JSON.stringify(r)),
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

before(async () => {
  // before anything else: without redis-server the test fails here, saying to run scripts/setup.sh
  redis = await startRedis(redisDir);
  const trained = await run(['train-zoo', '--experiment', tiny, '--grid', '0'], envOf(workspaces.local));
  assert.equal(trained.code, 0, trained.out);
  fs.cpSync(workspaces.local, workspaces.queue, { recursive: true });
});

after(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exit));
  // OMS_DPM_TEST_LOGS=<folder>: every process's output, to look at afterwards
  const logs = process.env.OMS_DPM_TEST_LOGS;
  if (logs) {
    fs.mkdirSync(logs, { recursive: true });
    procs.forEach((p, i) => fs.writeFileSync(path.join(logs, `${String(i).padStart(2, '0')}-${p.child.spawnargs.slice(2, 3).join('')}.log`), `${p.child.spawnargs.slice(2).join(' ')}\n\n${p.out()}`));
  }
  await redis?.stop('SIGKILL');
  removeTempDir(dir);
});

let workerA: Proc;
let workerB: Proc;

test('two queue workers score a collection into the records of the local pool', { timeout: 600_000 }, async () => {
  const local = await run(['collect', '--experiment', tiny, '--solver', 'ddim', '--count', '24', '--workers', '1'], envOf(workspaces.local));
  assert.equal(local.code, 0, local.out);

  [workerA, workerB] = await Promise.all([startWorker(workspaces.queue), startWorker(workspaces.queue)]);
  const queued = await run(['collect', '--experiment', tiny, '--solver', 'ddim', '--count', '24', '--queue', redis.url], envOf(workspaces.queue));
  assert.equal(queued.code, 0, queued.out);
  assert.match(queued.out, /24 to collect through the queue at unix:\/\//);
  assert.match(queued.out, /queue: \d+ done, 0 in flight, 0 failed; 2 worker\(s\) seen/);

  const a = readRecords(workspaces.local, 'ddim');
  const b = readRecords(workspaces.queue, 'ddim');
  assert.deepEqual(b.ids, range(24));
  assert.equal(b.header, a.header);
  assert.deepEqual(b.records, a.records, 'the same records, byte for byte but the wall time');
  // both workers took jobs
  for (const w of [workerA, workerB]) assert.match(w.out(), /done score [0-9a-f]+: FID/);
});

test('a job submitted twice is one job; a completed job answers a later submission', { timeout: 300_000 }, async () => {
  const { loadExperiment } = await import('../../lib/config/index');
  const { QueueScoring } = await import('../../lib/evaluation/queue/queue-scoring');
  const { queueName } = await import('../../lib/evaluation/queue/queue-jobs');
  const { redisOptions } = await import('../../lib/evaluation/queue/redis-connection');
  const { Queue } = await import('bullmq');

  const exp = loadExperiment(tiny);
  const counter = new Queue(queueName(exp), { connection: redisOptions(redis.url) as never });
  const jobs = async () => Object.values(await counter.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized')).reduce((x, y) => x + y, 0);
  const one = await QueueScoring.start(exp, { engine: 'tfjs', url: redis.url });
  const two = await QueueScoring.start(exp, { engine: 'tfjs', url: redis.url });
  try {
    const before = await jobs();
    // the schedule of the first record written above: answered from its completed job, no new one
    const rec = JSON.parse(fs.readFileSync(datasetOf(workspaces.queue, 'ddim'), 'utf8').split('\n')[1]) as { schedule: number[]; fid: number };
    const again = await one.score('ddim', rec.schedule, exp.config.fid.images);
    assert.equal(again.fid, rec.fid);
    assert.equal(await jobs(), before);

    // a new schedule asked for three times by one submitter and once by another: one job, one FID
    const s = [2, 0, 1, 0, 2, 0, 1, 0, 2, 1];
    const answers = await Promise.all([one.score('ddim', s, 64), one.score('ddim', s, 64), two.score('ddim', s, 64), one.score('ddim', s, 64)]);
    assert.equal(await jobs(), before + 1);
    for (const r of answers) assert.equal(r.fid, answers[0].fid);
    assert.equal(one.status().done, 2);
    const scoredByWorkers = (workerA.out() + workerB.out()).match(/done score /g)!.length;
    assert.equal(scoredByWorkers, before + 1, 'the workers scored each job once');
  } finally {
    await Promise.all([one.close(), two.close(), counter.close()]);
  }
});

test('a worker killed with SIGKILL mid-job: the other worker takes its job; every record once', { timeout: 600_000 }, async () => {
  const local = await run(['collect', '--experiment', tiny, '--solver', 'dpm-solver', '--count', '16', '--workers', '1'], envOf(workspaces.local));
  assert.equal(local.code, 0, local.out);

  const from = workerB.out().length;
  const submit = start(['collect', '--experiment', tiny, '--solver', 'dpm-solver', '--count', '16', '--queue', redis.url], envOf(workspaces.queue));
  const started = await Promise.race([
    workerB.waitFor(/started (score [0-9a-f]+)/, 120_000, from),
    submit.exit.then((c) => {
      throw new Error(`the collection ended (code ${c}) before worker B took a job:\n${submit.out()}`);
    }),
  ]);
  workerB.child.kill('SIGKILL');
  await workerB.exit;
  const code = await submit.exit;
  assert.equal(code, 0, submit.out());
  // the job B had in hand was handed on by the stalled-job check and scored by A
  assert.match(submit.out(), /1 stalled and handed on/);
  assert.ok(workerA.out().includes(`done ${started[1]}`), `worker A did not score ${started[1]}:\n${workerA.out()}`);

  const a = readRecords(workspaces.local, 'dpm-solver');
  const b = readRecords(workspaces.queue, 'dpm-solver');
  assert.deepEqual(b.ids, range(16), 'every record once');
  assert.deepEqual(b.records, a.records);
});

test('SIGTERM: a worker finishes the job in hand; a second SIGTERM puts it back in the queue for another worker', { timeout: 300_000 }, async () => {
  const { loadExperiment } = await import('../../lib/config/index');
  const { QueueScoring } = await import('../../lib/evaluation/queue/queue-scoring');
  const workerC = await startWorker(workspaces.queue);
  const q = await QueueScoring.start(loadExperiment(tiny), { engine: 'tfjs', url: redis.url });
  try {
    const [fromA, fromC] = [workerA.out().length, workerC.out().length];
    // two long jobs (512 images): A takes one, C the other
    const answers = [q.score('ddim', [1, 0, 0, 0, 2, 0, 0, 0, 0, 2], 512), q.score('ddim', [2, 0, 0, 1, 0, 0, 0, 1, 0, 0], 512)];
    const [a, c] = await Promise.all([workerA.waitFor(/started (score [0-9a-f]+)/, 60_000, fromA), workerC.waitFor(/started (score [0-9a-f]+)/, 60_000, fromC)]);
    workerA.child.kill('SIGTERM');
    workerC.child.kill('SIGTERM');
    await workerC.waitFor(/SIGTERM: finishing the jobs in hand/, 10_000, fromC);
    workerC.child.kill('SIGTERM');
    assert.equal(await workerA.exit, 0, workerA.out());
    assert.equal(await workerC.exit, 0, workerC.out());
    assert.ok(workerA.out().includes(`done ${a[1]}`), workerA.out());
    assert.match(workerA.out(), /worker \S+ stopped \(SIGTERM\): \d+ job\(s\) scored, 0 refused, 0 failed, 0 released/);
    assert.ok(workerC.out().includes(`released ${c[1]} back to the queue`), workerC.out());
    assert.ok(!workerC.out().includes(`done ${c[1]}`), workerC.out());
    assert.match(workerC.out(), /worker \S+ stopped \(SIGTERM\): 0 job\(s\) scored, 0 refused, 0 failed, 1 released/);
    // the released job is scored by the next worker
    const workerD = await startWorker(workspaces.queue);
    const [ra, rc] = await Promise.all(answers);
    assert.ok(Number.isFinite(ra.fid) && Number.isFinite(rc.fid));
    assert.ok(workerD.out().includes(`done ${c[1]}`), workerD.out());
    workerD.child.kill('SIGTERM');
    assert.equal(await workerD.exit, 0, workerD.out());
  } finally {
    await q.close();
  }
});

test('a worker with another zoo refuses the jobs; the submitter stops with the reason and writes nothing', { timeout: 300_000 }, async () => {
  fs.cpSync(workspaces.queue, workspaces.other, { recursive: true });
  const { readTensorFile, writeTensorFile } = await import('../../lib/diffusion/tensor-file');
  const file = path.join(workspaces.other, 'results', 'tiny-mnist', 'zoo', 'a', 'ema-weights.bin');
  const t = readTensorFile(file);
  const arrays = [...t.arrays.values()];
  arrays[0].data[0] += 0.001; // a retrained member: other weights, same config
  writeTensorFile(file, t.meta, arrays);

  const stranger = await startWorker(workspaces.other);
  const r = await run(['collect', '--experiment', tiny, '--solver', 'ddim', '--count', '28', '--queue', redis.url], envOf(workspaces.queue));
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /refused by worker \S+: zoo weight hashes differ \(a: [0-9a-f]{12} in the job, [0-9a-f]{12} here;/);
  assert.match(stranger.out(), /refused score [0-9a-f]+: zoo weight hashes differ/);
  assert.doesNotMatch(stranger.out(), /done score/);
  assert.deepEqual(readRecords(workspaces.queue, 'ddim').ids, range(24), 'nothing written');
  stranger.child.kill('SIGTERM');
  assert.equal(await stranger.exit, 0);
});

test('Redis unreachable at start: a message naming the URL and how to start Redis', { timeout: 120_000 }, async () => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const url = `redis://127.0.0.1:${port}`;
  const r = await run(['collect', '--experiment', tiny, '--solver', 'ddim', '--count', '28', '--queue', url], envOf(workspaces.queue));
  assert.equal(r.code, 2, r.out);
  assert.ok(r.out.includes(`cannot reach Redis at ${url}`), r.out);
  assert.ok(r.out.includes(`redis-server --port ${port}`), r.out);
  const w = await run(['worker', '--experiment', tiny, '--queue', url], envOf(workspaces.queue));
  assert.equal(w.code, 2, w.out);
  assert.ok(w.out.includes(`cannot reach Redis at ${url}`), w.out);
});

let lastWorker: Proc;

test('Redis lost mid-run: the submitter stops with a message; a rerun resumes from the records written', { timeout: 600_000 }, async () => {
  const worker = (lastWorker = await startWorker(workspaces.queue));
  const count = 48;
  const submit = start(['collect', '--experiment', tiny, '--solver', 'ddim', '--count', String(count), '--queue', redis.url], envOf(workspaces.queue));
  const file = datasetOf(workspaces.queue, 'ddim');
  const lines = () => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).length - 1;
  const t0 = Date.now();
  while (lines() < 30) {
    assert.equal(submit.child.exitCode, null, submit.out());
    assert.ok(Date.now() - t0 < 180_000, `the collection did not reach 30 records:\n${submit.out()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await redis.stop('SIGKILL');
  assert.equal(await submit.exit, 2, submit.out());
  assert.match(submit.out(), /lost the connection to Redis at unix:\/\/\S+ \(no answer for \d+ s\)/);
  assert.match(submit.out(), /rerun the same command/);
  const kept = readRecords(workspaces.queue, 'ddim');
  assert.ok(kept.ids.length >= 30 && kept.ids.length < count, `${kept.ids.length} records`);
  assert.equal(new Set(kept.ids).size, kept.ids.length);

  // Redis back (empty: no persistence); the same worker reconnects by itself
  redis = await startRedis(redisDir);
  const rerun = await run(['collect', '--experiment', tiny, '--solver', 'ddim', '--count', String(count), '--queue', redis.url], envOf(workspaces.queue));
  assert.equal(rerun.code, 0, rerun.out + '\n--- worker:\n' + worker.out());
  assert.match(rerun.out, new RegExp(`${kept.ids.length} records, ${count - kept.ids.length} to collect`));
  const all = readRecords(workspaces.queue, 'ddim');
  assert.deepEqual(all.ids, range(count), 'every record once');
  // the records written before the loss are untouched, and the first 24 still equal the local pool's
  for (const r of kept.records) assert.ok(all.records.includes(r));
  assert.deepEqual(all.records.slice(0, 24), readRecords(workspaces.local, 'ddim').records);
});

test('a front scored through the queue equals the local pool\'s (selection FIDs and held-out measures)', { timeout: 600_000 }, async () => {
  // the same inputs on both sides: latency table and predictor made once, on the identical dpm-solver datasets
  for (const args of [['profile-latency', '--experiment', tiny], ['train-predictor', '--experiment', tiny, '--solver', 'dpm-solver']]) {
    const r = await run(args, envOf(workspaces.local));
    assert.equal(r.code, 0, r.out);
  }
  const from = path.join(workspaces.local, 'results', 'tiny-mnist');
  const to = path.join(workspaces.queue, 'results', 'tiny-mnist');
  fs.cpSync(path.join(from, 'latency-tfjs-wasm.json'), path.join(to, 'latency-tfjs-wasm.json'));
  fs.cpSync(path.join(from, 'predictor-dpm-solver'), path.join(to, 'predictor-dpm-solver'), { recursive: true });

  const local = await run(['front', '--experiment', tiny, '--solver', 'dpm-solver', '--workers', '1'], envOf(workspaces.local));
  assert.equal(local.code, 0, local.out);
  const queued = await run(['front', '--experiment', tiny, '--solver', 'dpm-solver', '--queue', redis.url], envOf(workspaces.queue));
  assert.equal(queued.code, 0, queued.out);
  assert.match(queued.out, /scored through the queue at unix:\/\//);
  assert.match(lastWorker.out(), /done measure [0-9a-f]+: 32 images measured/);

  const strip = (text: string, also = '') => JSON.stringify(JSON.parse(text, (k, v) => (k === 'seconds' || k === 'provenance' || k === also ? undefined : v)));
  // configHash covers the dataset file's bytes, whose line order and wall times differ: every other field is compared
  const front = (d: string) => strip(fs.readFileSync(path.join(d, 'front-dpm-solver.json'), 'utf8'), 'configHash');
  const scores = (d: string) => fs.readFileSync(path.join(d, 'front-dpm-solver-scores.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => strip(l)).sort();
  assert.equal(front(to), front(from));
  assert.deepEqual(scores(to), scores(from));
});

test('the queue URL: --queue, then OMS_DPM_QUEUE, then collection.queue; not part of the config hash; printed without its password', async () => {
  const { loadExperiment } = await import('../../lib/config/index');
  const { resolveQueueUrl, shownQueueUrl } = await import('../../lib/evaluation/scoring-backend');
  const plain = loadExperiment(tiny);
  const configured = loadExperiment(tiny, { set: ['collection.queue=redis://:pw@10.0.0.1:6379'] });
  assert.equal(configured.hash, plain.hash, 'where the jobs run does not change what they compute');
  assert.throws(() => loadExperiment(tiny, { set: ['collection.queue=localhost:6379'] }), /collection\.queue/);
  const saved = process.env.OMS_DPM_QUEUE;
  try {
    delete process.env.OMS_DPM_QUEUE;
    assert.equal(resolveQueueUrl(undefined, plain), null);
    assert.equal(resolveQueueUrl(undefined, configured), 'redis://:pw@10.0.0.1:6379');
    process.env.OMS_DPM_QUEUE = 'redis://127.0.0.1:7000';
    assert.equal(resolveQueueUrl(undefined, configured), 'redis://127.0.0.1:7000');
    assert.equal(resolveQueueUrl('unix:///tmp/r.sock', configured), 'unix:///tmp/r.sock');
    assert.equal(resolveQueueUrl('local', configured), null);
    assert.throws(() => resolveQueueUrl('127.0.0.1:6379', plain), /--queue=127\.0\.0\.1:6379 is not a queue URL/);
  } finally {
    if (saved === undefined) delete process.env.OMS_DPM_QUEUE;
    else process.env.OMS_DPM_QUEUE = saved;
  }
  assert.equal(shownQueueUrl('redis://:pw@10.0.0.1:6379'), 'redis://:***@10.0.0.1:6379');
});

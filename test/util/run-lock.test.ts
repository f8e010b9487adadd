/**
 * One run per results folder (lib/util/run-lock.ts): a live holder in another process refuses a
 * second run naming its pid; a dead holder's lock (also a recycled pid) is taken over; a child of
 * the holder works under its lock; the lock is released at exit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireRunLock, holderAlive, LOCK_FILE, LOCK_HOLDER_ENV, type LockHolder } from '../../lib/util/run-lock';
import { isKitError } from '../../lib/util/errors';
import { tempDir } from '../helpers/temp-dir';

const tmp = () => tempDir('omsdpm-lock-');
const lockModule = path.join(__dirname, '..', '..', 'lib', 'util', 'run-lock.ts');

/** A node process that takes the lock of `dir` and holds it until killed; resolves once it holds it. */
async function holder(dir: string) {
  const code = `require(${JSON.stringify(lockModule)}).acquireRunLock(${JSON.stringify(dir)}, 'test holder'); console.log('held'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => b.toString().includes('held') && resolve());
    child.on('exit', (c) => reject(new Error(`holder exited ${c}`)));
  });
  return child;
}

test('a live holder in another process refuses a second run, naming its pid and command', async () => {
  const dir = tmp();
  const child = await holder(dir);
  try {
    assert.throws(() => acquireRunLock(dir, 'second'), (e: unknown) => isKitError(e) && e.message.includes(`pid ${child.pid}`) && /'test holder'/.test(e.message) && /kill/.test(e.hint ?? ''));
  } finally {
    child.kill('SIGKILL');
  }
  await new Promise((r) => child.on('exit', r));
  // killed without cleaning up: the lock is stale now and taken over, with a note
  const stale: (LockHolder | null)[] = [];
  const lock = acquireRunLock(dir, 'third', (h) => stale.push(h));
  assert.equal(stale.length, 1);
  assert.equal(stale[0]?.pid, child.pid);
  assert.equal(lock.owned, true);
  lock.release();
  assert.equal(fs.existsSync(path.join(dir, LOCK_FILE)), false);
});

test('a recycled pid does not keep a dead lock alive; another host is assumed alive', () => {
  const me = { pid: process.pid, hostname: os.hostname(), command: 'x', startedAt: '' };
  assert.equal(holderAlive({ ...me, procStart: null }), true);
  if (fs.existsSync('/proc/self/stat')) assert.equal(holderAlive({ ...me, procStart: '1' }), false, 'same pid, other start time');
  assert.equal(holderAlive({ ...me, pid: 2 ** 22 + 12345, procStart: null }), false, 'no such process');
  assert.equal(holderAlive({ ...me, hostname: 'another-host', pid: 2 ** 22 + 12345, procStart: null }), true);
});

test('a child of the holder works under its lock; the lock is released at exit', () => {
  const dir = tmp();
  const lock = acquireRunLock(dir, 'parent');
  const code = `const l = require(${JSON.stringify(lockModule)}).acquireRunLock(${JSON.stringify(dir)}, 'child'); console.log(l.owned);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', env: { ...process.env, [LOCK_HOLDER_ENV]: String(process.pid) } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'false');
  // without the inheritance the same child is refused
  const refused = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', env: { ...process.env, [LOCK_HOLDER_ENV]: '' } });
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /in use by another run: pid \d+/);
  // a second command in the holding process works under its lock (commands run in-process)
  const again = acquireRunLock(dir, 'same process');
  assert.equal(again.owned, false);
  lock.release();
  // a process that exits normally leaves no lock behind
  const exits = spawnSync(process.execPath, ['--import', 'tsx', '-e', `require(${JSON.stringify(lockModule)}).acquireRunLock(${JSON.stringify(dir)}, 'short'); process.exit(0);`], { encoding: 'utf8' });
  assert.equal(exits.status, 0, exits.stderr);
  assert.equal(fs.existsSync(path.join(dir, LOCK_FILE)), false);
});

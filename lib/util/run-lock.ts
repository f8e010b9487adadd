/**
 * One run per results folder. Two runs writing the same folder interleave their appends and
 * rewrites (measured: two smoke runs 8 s apart made a collection file with a record id twice, and
 * both exited 2), so every command that writes results first takes `<folder>/.run.lock`:
 *
 *   - the file is created with O_EXCL and holds the holder's pid, command, host and start time;
 *   - a second run finds it, sees the holder alive, and stops at once with an error naming the
 *     holder (pid and command) and what to do;
 *   - a lock whose holder is gone (killed, crashed, kill -9) is stale: it is taken over, and the
 *     caller is told whose lock it was. "Gone" is checked on this host by pid and, where Linux's
 *     /proc tells it, the process's start time, so a recycled pid does not keep a dead lock alive;
 *   - child processes of the holder (`train-zoo --jobs`) inherit it through OMS_DPM_LOCK_HOLDER, and
 *     a second command in the holding process itself works under it.
 *
 * The lock is released when the run ends (also on an error or process.exit); a run stopped by a
 * signal leaves it behind, and the next run takes it over as stale.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KitError } from './errors';

export const LOCK_FILE = '.run.lock';
/** Set by a lock holder for the child processes that work under its lock. */
export const LOCK_HOLDER_ENV = 'OMS_DPM_LOCK_HOLDER';

export interface LockHolder {
  pid: number;
  /** the process's start time (Linux clock ticks since boot), null where /proc does not tell */
  procStart: string | null;
  hostname: string;
  command: string;
  startedAt: string;
}

export interface RunLock {
  file: string;
  /** false when this process works under its parent's lock */
  owned: boolean;
  release(): void;
}

/** Field 22 of /proc/<pid>/stat: when the process started (clock ticks after boot); null if unknown. */
function procStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after its last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the lock's holder still runs (always assumed on another host: it cannot be checked). */
export function holderAlive(h: LockHolder): boolean {
  if (h.hostname !== os.hostname()) return true;
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: no such process
  }
  const now = procStart(h.pid);
  return h.procStart === null || now === null || now === h.procStart;
}

function readHolder(file: string): LockHolder | null {
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return typeof h.pid === 'number' && typeof h.hostname === 'string' ? (h as LockHolder) : null;
  } catch {
    return null;
  }
}

/**
 * Takes the lock of results folder `dir` for `command` (shown to a second run), or throws a
 * KitError naming the live holder. `onStale` hears about a dead holder's lock being taken over.
 */
export function acquireRunLock(dir: string, command: string, onStale?: (h: LockHolder | null) => void): RunLock {
  const file = path.join(dir, LOCK_FILE);
  fs.mkdirSync(dir, { recursive: true });
  const parent = Number(process.env[LOCK_HOLDER_ENV]);
  for (let attempt = 0; attempt < 5; attempt++) {
    const me: LockHolder = { pid: process.pid, procStart: procStart(process.pid), hostname: os.hostname(), command, startedAt: new Date().toISOString() };
    try {
      fs.writeFileSync(file, JSON.stringify(me) + '\n', { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const h = readHolder(file);
      // this process already holds it (commands run in-process one after another, as tests do), or
      // its parent does (train-zoo --jobs): work under that lock
      const mine = h !== null && h.hostname === os.hostname() && (h.pid === process.pid || (Number.isInteger(parent) && h.pid === parent));
      if (mine) return { file, owned: false, release: () => {} };
      if (h === null) {
        // being written by another run right now, or left damaged: give a writer a moment first
        const age = Date.now() - fs.statSync(file).mtimeMs;
        if (age < 2000) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
          continue;
        }
      } else if (holderAlive(h)) {
        throw new KitError(`the results folder ${dir} is in use by another run: pid ${h.pid} on ${h.hostname}, '${h.command}', since ${h.startedAt}`, {
          hint: `wait for it to finish, or stop it (kill ${h.pid}) and rerun; two runs on one folder would corrupt each other's files. Another folder: OMS_DPM_RESULTS=<dir>`,
        });
      }
      onStale?.(h);
      fs.rmSync(file, { force: true });
      continue;
    }
    const release = () => {
      const h = readHolder(file);
      if (h?.pid === process.pid) fs.rmSync(file, { force: true });
      process.removeListener('exit', release);
    };
    process.on('exit', release);
    return { file, owned: true, release };
  }
  throw new KitError(`could not take the lock ${file}: other runs keep replacing it`, { hint: 'stop the other runs on this results folder and retry' });
}

/** The sentence telling a user whose lock on `dir` was taken over (`h` null: the lock file was unreadable). */
export function takeoverText(h: LockHolder | null, dir: string): string {
  return h === null
    ? `took over an unreadable lock file in ${dir}`
    : `took over the lock of a run that is gone (pid ${h.pid}, '${h.command}', since ${h.startedAt}); its finished work is kept and resumed`;
}

/**
 * A private, throw-away Redis on this machine (Debian's redis-server on a unix socket in a folder:
 * no TCP port, no persistence, noeviction): what the bench and the tests run the scoring queue on.
 * A real deployment starts its own Redis (README, "Scale out").
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export interface LocalRedis {
  /** unix://<dir>/redis.sock */
  url: string;
  socket: string;
  dir: string;
  process: ChildProcess;
  /** SIGTERM (default) or SIGKILL (a lost server); resolves once it has exited */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The redis-server binary, or null when it is not installed (bash scripts/setup.sh installs it). */
export function findRedisServer(): string | null {
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (fs.existsSync(p)) return p;
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : null;
}

function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.createConnection(socket);
    c.once('connect', () => {
      c.end();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** Starts `bin` on `dir`/redis.sock and waits until it accepts connections (10 s at most). */
export async function startLocalRedis(bin: string, dir: string): Promise<LocalRedis> {
  fs.mkdirSync(dir, { recursive: true });
  const socket = path.join(dir, 'redis.sock');
  if (fs.existsSync(socket)) fs.rmSync(socket);
  const args = ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir, '--maxmemory-policy', 'noeviction'];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (b) => (log += String(b)));
  child.stderr!.on('data', (b) => (log += String(b)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const t0 = Date.now();
  while (!(await answers(socket))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}:\n${log}`);
    if (Date.now() - t0 > 10_000) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer on ${socket} within 10 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `unix://${socket}`,
    socket,
    dir,
    process: child,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

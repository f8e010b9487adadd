/**
 * The Redis a scoring queue lives on: its URL turned into connection options, and a check at start
 * that it is there and fit for BullMQ (Redis >= 6.2, maxmemory-policy noeviction), so a missing
 * server is one clear error naming the URL and how to start one, not a hang or a stack trace.
 *
 *   redis://[user:password@]HOST:PORT[/DB]     (rediss:// for TLS)
 *   unix:///path/to/redis.sock[?db=N]
 */
import IORedis, { type RedisOptions } from 'ioredis';
import { KitError } from '../../util/errors';
import { shownQueueUrl } from '../scoring-backend';

/** How to get a Redis at `url` to talk to, for hints. */
export function startRedisHint(url: string): string {
  let start = "redis-server --port 6379 --save '' --appendonly no";
  try {
    const o = redisOptions(url);
    start = o.path ? `redis-server --port 0 --unixsocket ${o.path} --save '' --appendonly no` : `redis-server --port ${o.port} --bind ${o.host} --save '' --appendonly no`;
  } catch {
    // keep the generic command
  }
  return (
    `start it: \`${start}\`${url.startsWith('unix:') ? '' : ' on the host of the URL'} (Debian's redis-server: apt-get install redis-server, which bash scripts/setup.sh does); ` +
    'or drop --queue / OMS_DPM_QUEUE / collection.queue to score on the local worker pool'
  );
}

/** ioredis options of a queue URL (no retry policy: callers add theirs). */
export function redisOptions(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new KitError(`${shownQueueUrl(url)} is not a queue URL`, { hint: 'give redis://HOST:PORT or unix:///path/to/redis.sock' });
  }
  const auth: RedisOptions = {};
  if (u.username) auth.username = decodeURIComponent(u.username);
  if (u.password) auth.password = decodeURIComponent(u.password);
  if (u.protocol === 'unix:') {
    if (!u.pathname) throw new KitError(`${shownQueueUrl(url)} names no socket file`, { hint: 'give unix:///path/to/redis.sock' });
    const db = u.searchParams.get('db');
    return { ...auth, path: decodeURIComponent(u.pathname), ...(db ? { db: Number(db) } : {}) };
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new KitError(`${shownQueueUrl(url)}: unknown queue URL scheme ${u.protocol}`, { hint: 'give redis://HOST:PORT, rediss://HOST:PORT or unix:///path/to/redis.sock' });
  }
  const db = u.pathname.replace(/^\//, '');
  return {
    ...auth,
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(db ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

export interface RedisInfo { version: string; maxmemoryPolicy: string | null }

function versionAtLeast(v: string, min: [number, number]): boolean {
  const [a, b] = v.split('.').map(Number);
  return a > min[0] || (a === min[0] && b >= min[1]);
}

/**
 * Connects once (no retries), reads the server version and eviction policy, and disconnects.
 * Unreachable, too old or evicting: a KitError naming the URL and the fix.
 */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<RedisInfo> {
  const client = new IORedis({ ...redisOptions(url), lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  let lastError: Error | null = null;
  client.on('error', (e: Error) => (lastError = e)); // reported below, once
  try {
    try {
      await client.connect();
    } catch (e) {
      const why = (lastError as Error | null)?.message ?? (e as Error).message ?? 'no answer';
      throw new KitError(`cannot reach Redis at ${shownQueueUrl(url)} for the scoring queue (${why})`, { hint: startRedisHint(url) });
    }
    const info = await client.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '0.0.0';
    if (!versionAtLeast(version, [6, 2])) {
      throw new KitError(`Redis at ${shownQueueUrl(url)} is version ${version}; the scoring queue (BullMQ) needs 6.2 or later`, { hint: 'install a newer redis-server (Debian 12 ships 7.0)' });
    }
    let maxmemoryPolicy: string | null = null;
    try {
      const r = (await client.config('GET', 'maxmemory-policy')) as string[];
      maxmemoryPolicy = r[1] ?? null;
    } catch {
      maxmemoryPolicy = null; // CONFIG may be disabled on a managed Redis; BullMQ warns itself then
    }
    if (maxmemoryPolicy !== null && maxmemoryPolicy !== 'noeviction') {
      throw new KitError(`Redis at ${shownQueueUrl(url)} evicts keys (maxmemory-policy ${maxmemoryPolicy}): queued jobs could vanish`, { hint: `set it to noeviction: redis-cli ${url.startsWith('unix:') ? `-s ${redisOptions(url).path}` : `-u ${shownQueueUrl(url)}`} config set maxmemory-policy noeviction` });
    }
    return { version, maxmemoryPolicy };
  } finally {
    client.disconnect();
  }
}

/**
 * A private Redis for a test: Debian's redis-server on a unix socket in a temporary folder (no TCP
 * port, no persistence; lib/evaluation/queue/local-redis.ts), started and stopped by the test. When
 * redis-server is not installed the test fails with the fix (scripts/setup.sh installs it); it is
 * never skipped silently.
 */
import { findRedisServer, startLocalRedis, type LocalRedis } from '../../lib/evaluation/queue/local-redis';
import { tempDir } from './temp-dir';

export type TestRedis = LocalRedis;

/** The redis-server binary; throws saying how to install it when there is none. */
export function redisServerBinary(): string {
  const bin = findRedisServer();
  if (!bin) {
    throw new Error("redis-server is not installed, and the scoring-queue tests need it: run `bash scripts/setup.sh` (it installs Debian's redis-server; or apt-get install -y redis-server)");
  }
  return bin;
}

/** Starts redis-server on a socket in `dir` (by default a new temporary folder, removed at exit: temp-dir.ts) and waits until it answers. */
export async function startRedis(dir = tempDir('omsdpm-redis-')): Promise<TestRedis> {
  return startLocalRedis(redisServerBinary(), dir);
}

/**
 * Forks a TypeScript module of the kit as a child process with an IPC channel (the kit runs its
 * .ts sources through tsx, so the child needs the same loader). stdout and stderr are the parent's.
 */
import { fork, type ChildProcess } from 'node:child_process';

export function forkTs(script: string): ChildProcess {
  return fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

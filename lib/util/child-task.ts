/**
 * One task in a forked child process (fork-ts.ts), with the protocol the kit's training children
 * share: the parent sends one request; the child answers with any number of progress messages,
 * then `done` with its result or `error` with a message and hint. Why children at all: TF.js on
 * WASM runs one thread per process, so two trainings at once need two processes.
 *
 * The child stops when its parent is gone rather than working on as an orphan (a killed
 * `reproduce` used to leave predictor children training to the end and writing files under its
 * rerun): on 'disconnect', and whenever it reports progress or calls `exitIfOrphaned` (a
 * synchronous training loop only hears 'disconnect' after it has ended; a dead parent's children
 * are re-parented, which the ppid check sees).
 */
import { KitError, isKitError } from './errors';
import { forkTs } from './fork-ts';

export type ChildTaskReply<P, R> =
  | { type: 'progress'; progress: P }
  | { type: 'done'; result: R }
  | { type: 'error'; message: string; hint?: string };

/**
 * Runs `script` (a module that calls `serveChildTask`) on `request`; `what` names the task in
 * errors ("training <what> failed: ..."). A child that fails, cannot start or exits early rejects
 * with a KitError saying so.
 */
export function runChildTask<Q, P, R>(script: string, request: Q, what: string, onProgress?: (p: P) => void): Promise<R> {
  return new Promise((resolve, reject) => {
    const child = forkTs(script);
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
    };
    child.on('message', (m: ChildTaskReply<P, R>) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'done') finish(() => resolve(m.result));
      else finish(() => reject(new KitError(`training ${what} failed: ${m.message}`, m.hint ? { hint: m.hint } : {})));
    });
    child.on('error', (e) => finish(() => reject(new KitError(`the process training ${what} could not be started: ${e.message}`))));
    // 'close' comes after the child's last message has been read, unlike 'exit'
    child.on('close', (code) => finish(() => reject(new KitError(`the process training ${what} exited with code ${code} before it finished`))));
    child.send(request as object);
  });
}

const parent = process.ppid;

/** In a child: exits at once when the parent that forked it is gone. */
export function exitIfOrphaned(): void {
  if (process.ppid !== parent) process.exit(0);
}

/** In a child: serves the one request with `work`, which may report progress; then exits. */
export function serveChildTask<Q, P, R>(work: (request: Q, progress: (p: P) => void) => Promise<R> | R): void {
  process.on('disconnect', () => process.exit(0));
  process.once('message', (request: Q) => {
    void (async () => {
      const send = (r: ChildTaskReply<P, R>) => new Promise<void>((done) => process.send!(r, () => done()));
      try {
        const result = await work(request, (progress) => {
          exitIfOrphaned();
          void send({ type: 'progress', progress });
        });
        await send({ type: 'done', result });
      } catch (e) {
        await send({ type: 'error', message: (e as Error).message, hint: isKitError(e) ? e.hint : undefined });
      }
      process.exit(0);
    })();
  });
}

/**
 * What a data-parallel step over two worker processes pays to combine their gradients: each
 * worker sends its gradient (the member's parameter count of float32) to the other and receives
 * the other's back. Timed here as the round trip of a buffer of that size through a pipe to a
 * node child that echoes stdin to stdout, the cheapest channel two local processes have. This is
 * what an all-reduce of two workers costs at least: a real one also reads the gradients out of
 * TF.js, sums them and makes tensors of the sum again.
 */
import { spawn } from 'node:child_process';
import { median, spread } from './timing';

export interface ExchangeTime {
  params: number;
  bytes: number;
  /** median round trip (ms) */
  medianMs: number;
  spreadMs: [number, number];
  repeats: number;
}

const ECHO = 'process.stdin.pipe(process.stdout)';

/**
 * The round-trip time of a gradient of each parameter count in `paramCounts` (one warm-up, then
 * `repeats` timed round trips each), through one echo child started for the purpose.
 */
export async function timeGradientExchange(paramCounts: readonly number[], repeats = 7): Promise<ExchangeTime[]> {
  const child = spawn(process.execPath, ['-e', ECHO], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let failed: Error | null = null;
  let waiting: { want: number; got: number; resolve: () => void; reject: (e: Error) => void } | null = null;
  const fail = (e: Error) => {
    failed = e;
    waiting?.reject(e);
  };
  child.on('error', fail);
  child.stdin.on('error', fail);
  child.on('close', (code) => fail(new Error(`the echo child of the gradient-exchange timing exited (code ${code})`)));
  child.stdout.on('data', (b: Buffer) => {
    if (waiting === null) return;
    waiting.got += b.length;
    if (waiting.got >= waiting.want) waiting.resolve();
  });
  const roundTrip = (buf: Buffer) =>
    new Promise<number>((resolve, reject) => {
      if (failed) return reject(failed);
      const t0 = performance.now();
      waiting = {
        want: buf.length,
        got: 0,
        resolve: () => {
          waiting = null;
          resolve(performance.now() - t0);
        },
        reject,
      };
      child.stdin.write(buf);
    });
  try {
    const out: ExchangeTime[] = [];
    for (const params of paramCounts) {
      const buf = Buffer.from(new Float32Array(params).fill(0.5).buffer);
      await roundTrip(buf);
      const times: number[] = [];
      for (let i = 0; i < repeats; i++) times.push(await roundTrip(buf));
      out.push({ params, bytes: buf.length, medianMs: median(times), spreadMs: spread(times), repeats });
    }
    return out;
  } finally {
    child.stdin.end();
    await exited;
  }
}

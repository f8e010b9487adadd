/**
 * A one-line progress display: on a terminal it redraws in place; in a log (CI, nohup) it prints a
 * line at most every `logIntervalSeconds` so logs stay readable.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

export class ProgressLine {
  private lastPrint = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(private readonly logIntervalSeconds = 30) {}

  update(done: number, total: number, detail: string): void {
    const now = Date.now();
    const finished = done >= total;
    if (!this.tty && !finished && now - this.lastPrint < this.logIntervalSeconds * 1000) return;
    this.lastPrint = now;
    const width = 24;
    const filled = Math.round((width * Math.min(done, total)) / Math.max(total, 1));
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const line = `[${bar}] ${done}/${total} ${detail}`;
    if (this.tty) process.stderr.write(`\r${line}\x1b[K${finished ? '\n' : ''}`);
    else process.stderr.write(line + '\n');
  }
}

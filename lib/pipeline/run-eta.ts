/**
 * The whole run's estimated time to finish, for `reproduce`'s progress line. The running stage is
 * extrapolated from its own progress (elapsed / done * remaining); a stage still to come is
 * estimated by the time the same stage took when the committed results were made (its manifest's
 * `seconds`). That time undercounts a stage that was resumed there, and a stage whose manifest is
 * missing or says under a second (a stage that found its work done) has no estimate: the ETA says
 * how many stages it leaves out rather than pretending they take no time.
 */
export interface RunEtaReading {
  /** seconds until the last estimated stage finishes (NaN until the running stage has progress) */
  seconds: number;
  /** stages still to come (or running without progress) that have no estimate */
  unestimated: number;
}

export class RunEta {
  private readonly done = new Set<string>();
  private running: { name: string; since: number; done: number; total: number } | null = null;

  /**
   * `stages` in run order; `previous`: each stage's seconds in the committed run (null or under 1 s: unknown).
   * `now` is injectable for tests.
   */
  constructor(
    private readonly stages: string[],
    private readonly previous: Map<string, number | null>,
    private readonly now: () => number = Date.now,
  ) {}

  stageStarted(name: string): void {
    this.running = { name, since: this.now(), done: 0, total: 0 };
  }

  /** The running stage's progress (units of its own: images, records, steps). */
  stageProgress(done: number, total: number): void {
    if (this.running) Object.assign(this.running, { done, total });
  }

  /** The stage finished, or was up to date. */
  stageFinished(name: string): void {
    this.done.add(name);
    if (this.running?.name === name) this.running = null;
  }

  /** 1-based position of the running stage, and the stage count. */
  position(): { index: number; count: number } {
    return { index: this.running ? this.stages.indexOf(this.running.name) + 1 : this.done.size, count: this.stages.length };
  }

  reading(): RunEtaReading {
    let seconds = 0;
    let unestimated = 0;
    const known = (name: string) => {
      const s = this.previous.get(name);
      return s !== null && s !== undefined && s >= 1 ? s : null;
    };
    for (const name of this.stages) {
      if (this.done.has(name)) continue;
      if (this.running?.name === name) {
        const { since, done, total } = this.running;
        const elapsed = (this.now() - since) / 1000;
        if (done > 0 && total > 0) seconds += (elapsed / done) * Math.max(0, total - done);
        else if (known(name) !== null) seconds += Math.max(0, known(name)! - elapsed);
        else unestimated++;
        continue;
      }
      const s = known(name);
      if (s === null) unestimated++;
      else seconds += s;
    }
    return { seconds, unestimated };
  }
}

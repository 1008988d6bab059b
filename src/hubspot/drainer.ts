const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export type StepResult =
  | { kind: 'progress' }
  | { kind: 'empty' }
  /** Work is waiting but a fuller batch is worth waiting for. */
  | { kind: 'linger'; waitMs: number }
  /** Nothing can be done now (portal not connected). */
  | { kind: 'blocked' };

/**
 * Runs a per-portal drain loop at most once at a time in this process. A caller that finds it
 * running marks it dirty and returns at once; the running loop looks again before it stops, so
 * nothing that was committed before the caller returned is left behind. A loop that has run for
 * `maxRunMs` hands over to `continueLater` (a durable job) instead of holding its worker.
 */
export class PortalDrainer {
  private readonly running = new Set<number>();
  private readonly dirty = new Set<number>();

  constructor(
    private readonly step: (portalId: number) => Promise<StepResult>,
    private readonly continueLater: (portalId: number) => Promise<void>,
    private readonly maxRunMs = 30_000,
  ) {}

  isRunning(portalId: number): boolean {
    return this.running.has(portalId);
  }

  async run(portalId: number): Promise<void> {
    if (this.running.has(portalId)) {
      this.dirty.add(portalId);
      return;
    }
    this.running.add(portalId);
    // Real elapsed time on purpose: the budget is how long this loop holds a job worker.
    const started = Date.now();
    try {
      for (;;) {
        this.dirty.delete(portalId);
        const r = await this.step(portalId);
        if (r.kind === 'blocked') return;
        if (r.kind === 'empty') {
          if (this.dirty.has(portalId)) continue;
          return;
        }
        if (Date.now() - started > this.maxRunMs) {
          await this.continueLater(portalId);
          return;
        }
        if (r.kind === 'linger') await sleep(r.waitMs);
      }
    } finally {
      this.running.delete(portalId);
    }
  }
}

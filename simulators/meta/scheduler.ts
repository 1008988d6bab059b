// Timers and in-flight work of the simulator, so tests can wait for quiescence (idle) or cancel (stop).

export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly lanes = new Map<string, Promise<unknown>>();
  private stopped = false;

  get isStopped(): boolean {
    return this.stopped;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return;
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, Math.max(0, ms));
      this.timers.add(t);
    });
  }

  /** Tracks a promise until it settles (errors are swallowed: background work must never crash a test). */
  track<T>(p: Promise<T>): Promise<T> {
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.inflight.add(settled);
    void settled.then(() => this.inflight.delete(settled));
    return p;
  }

  /** Runs background work now (tracked). */
  run(fn: () => Promise<unknown>): void {
    if (this.stopped) return;
    this.track(fn()).catch(() => undefined);
  }

  /** Serializes work per key (e.g. all status webhooks of one wamid), tracked. */
  lane<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.lanes.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.lanes.set(key, tail);
    void tail.then(() => {
      if (this.lanes.get(key) === tail) this.lanes.delete(key);
    });
    return this.track(next);
  }

  /** Resolves when no timer is pending and no tracked work is in flight. */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.stopped) return;
      if (this.inflight.size === 0 && this.timers.size === 0) {
        // Let freshly scheduled continuations register before declaring quiescence.
        await new Promise((r) => setImmediate(r));
        if (this.inflight.size === 0 && this.timers.size === 0) return;
      }
      if (Date.now() > deadline) throw new Error('meta simulator: idle() timed out');
      await Promise.race([Promise.allSettled([...this.inflight]), new Promise((r) => setTimeout(r, 5))]);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.inflight.clear();
    this.lanes.clear();
  }
}

/**
 * Group commit for the webhook acknowledgement path. Every verified POST must be durably stored
 * (and its processing enqueued) before Meta gets its 200. Under load, the POSTs that arrive while
 * a write is in flight are written together by the next one: one small transaction stores them
 * all and enqueues one processing job for them, and each request is answered when the
 * transaction that holds its event has committed. With no load a POST is written at once, alone.
 */
export interface AckBatcherOptions<T> {
  /** Writes one batch in one transaction; resolves once it has committed. Returns one id per item. */
  write(items: T[]): Promise<number[]>;
  /** Batches written at the same time (≤ the pool size left for everything else). */
  maxInFlight?: number;
  maxBatch?: number;
  /** Upper bound of the summed item sizes of one batch. */
  maxBatchBytes?: number;
  sizeOf?(item: T): number;
}

interface Pending<T> {
  item: T;
  size: number;
  resolve(id: number): void;
  reject(err: unknown): void;
}

export class AckBatcher<T> {
  private readonly queue: Pending<T>[] = [];
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;
  private readonly maxBatchBytes: number;

  constructor(private readonly o: AckBatcherOptions<T>) {
    this.maxInFlight = o.maxInFlight ?? 3;
    this.maxBatch = o.maxBatch ?? 250;
    this.maxBatchBytes = o.maxBatchBytes ?? 8 * 1024 * 1024;
  }

  /** Resolves with the stored id once the item is committed; rejects if its batch failed. */
  add(item: T): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ item, size: this.o.sizeOf?.(item) ?? 0, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch: Pending<T>[] = [];
      let bytes = 0;
      while (this.queue.length > 0 && batch.length < this.maxBatch) {
        const next = this.queue[0]!;
        if (batch.length > 0 && bytes + next.size > this.maxBatchBytes) break;
        batch.push(this.queue.shift()!);
        bytes += next.size;
      }
      this.inFlight++;
      this.o
        .write(batch.map((p) => p.item))
        .then(
          (ids) => batch.forEach((p, i) => p.resolve(ids[i]!)),
          (err) => batch.forEach((p) => p.reject(err)),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}

import { AckBatcher } from '../../src/whatsapp/ack-batcher.js';

describe('AckBatcher (group commit of webhook acknowledgements)', () => {
  it('writes a lone item at once and groups the items that arrive while a write is in flight', async () => {
    const batches: number[][] = [];
    let release: (() => void) | undefined;
    const b = new AckBatcher<number>({
      maxInFlight: 1,
      write: async (items) => {
        batches.push(items);
        if (batches.length === 1) await new Promise<void>((r) => (release = r));
        return items.map((x) => x * 10);
      },
    });
    const first = b.add(1);
    const rest = [2, 3, 4].map((x) => b.add(x));
    expect(batches).toEqual([[1]]);
    release!();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('fails every item of a failed batch (none is acknowledged) and keeps going', async () => {
    let n = 0;
    const b = new AckBatcher<string>({
      maxInFlight: 1,
      write: async (items) => {
        if (n++ === 0) throw new Error('db down');
        return items.map((_, i) => i);
      },
    });
    await expect(b.add('a')).rejects.toThrow('db down');
    await expect(b.add('b')).resolves.toBe(0);
  });

  it('respects the batch size and byte limits', async () => {
    const sizes: number[] = [];
    let gate: Promise<void> = new Promise<void>((r) => setTimeout(r, 20));
    const b = new AckBatcher<Buffer>({
      maxInFlight: 1,
      maxBatch: 3,
      maxBatchBytes: 10,
      sizeOf: (x) => x.length,
      write: async (items) => {
        sizes.push(items.length);
        await gate;
        gate = Promise.resolve();
        return items.map(() => 1);
      },
    });
    await Promise.all([1, 4, 4, 4, 1, 1, 1, 1].map((n) => b.add(Buffer.alloc(n))));
    expect(sizes).toEqual([1, 2, 3, 2]);
  });
});

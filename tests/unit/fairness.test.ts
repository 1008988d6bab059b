// Fair draining (issue 17.7): a bursting portal's jobs sink below a quiet portal's, and float back
// once the burst is over.
import { BurstMeter } from '../../src/jobs/fairness.js';

describe('BurstMeter', () => {
  let t = 1_000_000;
  const meter = () => new BurstMeter({ windowMs: 10_000, quietLimit: 100 }, () => t);

  test('a portal within its share keeps the normal priority; a burst sinks by tenfolds', () => {
    const m = meter();
    const seen: number[] = [];
    for (let i = 0; i < 10_001; i++) seen.push(m.priorityFor('portal:A'));
    expect(seen[99]).toBe(0); // the 100th
    expect(seen[100]).toBe(-1); // the 101st
    expect(seen[999]).toBe(-1);
    expect(seen[1000]).toBe(-2);
    expect(seen[10_000]).toBe(-3);
    // another portal meanwhile is untouched
    expect(m.priorityFor('portal:B')).toBe(0);
  });

  test('the window slides: ten seconds after the burst the portal is quiet again', () => {
    const m = meter();
    for (let i = 0; i < 500; i++) m.priorityFor('portal:A');
    expect(m.priorityFor('portal:A')).toBe(-1);
    t += 5_000;
    expect(m.priorityFor('portal:A')).toBe(-1); // half the window: still counted
    t += 10_000;
    expect(m.priorityFor('portal:A')).toBe(0);
  });
});

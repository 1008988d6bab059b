import { performance } from 'node:perf_hooks';
import { PortalLimiter, RollingLane } from '../../src/hubspot/rate-limiter.js';

describe('per-portal limiter', () => {
  test('never starts more than `max` requests in any rolling window, in order', async () => {
    const lane = new RollingLane(5, 200);
    const starts: number[] = [];
    const order: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        lane.acquire().then(() => {
          starts.push(performance.now() - t0);
          order.push(i);
        }),
      ),
    );
    expect(order).toEqual([...Array(12).keys()]);
    for (const s of starts) expect(starts.filter((x) => x >= s && x < s + 199).length).toBeLessThanOrEqual(5);
    expect(starts[11]!).toBeGreaterThanOrEqual(390);
  });

  test('a 429 pauses the lane its policy names', () => {
    const l = new PortalLimiter({ generalPerTenSeconds: 100, searchPerSecond: 4 });
    expect(l.onRateLimited('general', 'TEN_SECONDLY_ROLLING')).toBe(10_000);
    expect(l.onRateLimited('search', 'SECONDLY')).toBe(1_000);
    expect(l.onRateLimited('search', undefined)).toBe(1_000);
    expect(l.rateLimited).toBe(3);
  });
});

// Jobs sent in one transaction share created_on; their ids must keep the order they were sent in.
import { jobId } from '../../src/jobs/job-id.js';

describe('job ids', () => {
  it('increase in sending order within one millisecond and across milliseconds, as UUID v7', () => {
    const ids = [...Array.from({ length: 5000 }, () => jobId(1_764_000_000_000)), jobId(1_764_000_000_001), jobId(1_764_000_000_500)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('never goes back when the clock does', () => {
    const a = jobId(1_764_000_010_000);
    const b = jobId(1_764_000_009_000);
    expect(b > a).toBe(true);
  });
});

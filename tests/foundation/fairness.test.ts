// Issue 17.7: one portal's burst cannot hold another portal's work behind it. 300 jobs of portal A
// are queued; one job of portal B queued after them runs next, not 300th.
import type { Database } from '../../src/db/database.js';
import { JobQueue } from '../../src/jobs/queue.js';
import { createLogger } from '../../src/logger.js';
import { testDatabase } from '../helpers/db.js';
import { waitFor } from '../helpers/wait.js';

describe('fair draining across portals', () => {
  let db: Database;
  beforeAll(async () => {
    db = await testDatabase();
  });
  afterAll(async () => db.close());

  it("a quiet portal's job is taken before a bursting portal's backlog", async () => {
    const ran: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const jobs = new JobQueue(db, createLogger('silent'));
    await jobs.define<{ who: string }>({
      name: 'test.fair',
      concurrency: 1,
      handler: async ({ who }) => {
        await gate; // the first job holds the only slot until everything is queued
        ran.push(who);
      },
    });
    await jobs.start();
    try {
      for (let i = 0; i < 300; i++) await jobs.send('test.fair', { who: `A${i}` }, { fairKey: 'portal:A' });
      await jobs.send('test.fair', { who: 'B' }, { fairKey: 'portal:B' });
      release();
      await waitFor(() => ran.includes('B'), 'portal B’s job');
      // A's first jobs kept the normal priority (its quiet share) and may go first; B never waits for the burst.
      expect(ran.indexOf('B')).toBeLessThanOrEqual(101);
      await waitFor(() => ran.length === 301, 'the whole burst', 60_000);
      // Within a portal, arrival order holds.
      const a = ran.filter((w) => w !== 'B').map((w) => Number(w.slice(1)));
      expect(a).toEqual([...a].sort((x, y) => x - y));
    } finally {
      await jobs.stop();
    }
  });
});

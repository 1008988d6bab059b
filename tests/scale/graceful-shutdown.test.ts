// Issue 16.2: a SIGTERM during a burst stops taking work, lets running jobs finish, then closes the
// pool: no job fails because of the shutdown, nothing is logged as an error (it used to log "Cannot
// use a pool after calling end on the pool"), and a fresh instance finishes whatever was queued.
import type { Database } from '../../src/db/database.js';
import { freePort, startInstance, type InstanceProcess } from '../helpers/cluster.js';
import { testDatabase } from '../helpers/db.js';
import { waitFor } from '../helpers/wait.js';
import { createWorld, customerWrites, postWebhook, seen, setupWorld, type World } from '../helpers/world.js';

const CUSTOMERS = 60;

describe('graceful shutdown', () => {
  let db: Database;
  let world: World;
  let first: InstanceProcess;
  let second: InstanceProcess | undefined;

  beforeAll(async () => {
    db = await testDatabase();
    const port = await freePort();
    world = await createWorld({ appUrl: `http://127.0.0.1:${port}`, throughputMps: 80, logLevel: 'warn' });
    first = await startInstance({ role: 'web', databaseUrl: db.url, env: { ...world.env, DB_POOL_MAX: '6', LOG_LEVEL: 'info' }, inlineWorkers: true, port, logs: true });
    await setupWorld(world);
  }, 150_000);

  afterAll(async () => {
    await first?.kill('SIGKILL');
    await second?.kill('SIGTERM');
    await world?.close();
    await db?.close();
  });

  test('SIGTERM mid-burst: exit 0, no failed job, no error logged, nothing lost', async () => {
    const waIds = Array.from({ length: CUSTOMERS }, (_, i) => `57316${String(2_000_000 + i).padStart(7, '0')}`);
    const acked = await Promise.all(
      waIds.map((waId, i) => postWebhook(first.url!, customerWrites(world, { waId, wamid: `wamid.term.${i}`, text: `Hola ${i}` }))),
    );
    expect(acked.every((s) => s === 200)).toBe(true);
    // Mid-burst: the first consent prompts are out, most of the work is still queued or running.
    await waitFor(() => (seen(world).sendsTo.size > 0 ? true : false), 'the first bot replies');
    expect(await first.kill('SIGTERM')).toBe(0);

    const failed = await db.query(
      `SELECT name, state, output FROM pgboss.job WHERE state = 'failed' OR (state = 'retry' AND retry_count > 0)`,
    );
    expect(failed.rows).toEqual([]);
    expect(first.stdout.some((l) => l.includes('"shutting down"'))).toBe(true); // the log was read
    const errors = first.stdout.filter((l) => /"level":(50|60)/.test(l) || /Cannot use a pool/.test(l));
    expect(errors).toEqual([]);
    expect(first.stderr.filter((l) => /Cannot use a pool|Error/.test(l))).toEqual([]);

    // A fresh instance finishes what was queued: every customer gets the consent prompt once.
    second = await startInstance({ role: 'web', databaseUrl: db.url, env: { ...world.env, DB_POOL_MAX: '6' }, inlineWorkers: true });
    await waitFor(() => waIds.every((w) => (seen(world).sendsTo.get(w)?.length ?? 0) >= 1), 'every customer answered', 90_000);
    for (const w of waIds) expect(seen(world).sendsTo.get(w)).toHaveLength(1);
  }, 240_000);
});

import type { DomainModule } from '../../src/app-context.js';
import type { Clock } from '../../src/clock.js';
import type { Config } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { createRuntime, type Runtime } from '../../src/server.js';
import { testConfig } from './config.js';
import { testDatabase } from './db.js';

export interface TestRuntime extends Runtime {
  db: Database;
  config: Config;
}

/**
 * A full app instance on its own test database (or on `db` to share one between instances).
 * `close()` stops it and, when it created the database, drops it.
 */
export async function startTestRuntime(
  opts: { db?: Database; config?: Config; env?: Record<string, string>; clock?: Clock; modules?: DomainModule[]; work?: boolean } = {},
): Promise<TestRuntime> {
  const ownsDb = !opts.db;
  const db = opts.db ?? (await testDatabase());
  const config = opts.config ?? testConfig(opts.env);
  const runtime = await createRuntime(config, { db, clock: opts.clock, modules: opts.modules, work: opts.work, schedulerIntervalMs: 50 });
  return {
    ...runtime,
    db,
    config,
    async close() {
      await runtime.close();
      if (ownsDb) await db.close();
    },
  };
}

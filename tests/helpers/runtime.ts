import type { Clock } from '../../src/clock.js';
import type { DomainOptions } from '../../src/composition.js';
import type { Config } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { createRuntime, type Runtime } from '../../src/server.js';
import { testConfig } from './config.js';
import { testDatabase } from './db.js';

export interface TestRuntime extends Runtime {
  db: Database;
  config: Config;
}

/** No product domain: only the infrastructure (and any `extra` probe). */
export const NO_DOMAINS: DomainOptions = { whatsapp: false, hubspot: false, conversations: false };

/**
 * A full app instance on its own test database (or on `db` to share one between instances).
 * `close()` stops it and, when it created the database, drops it.
 */
export async function startTestRuntime(
  opts: { db?: Database; config?: Config; env?: Record<string, string>; clock?: Clock; domains?: DomainOptions; work?: boolean; ownsDb?: boolean } = {},
): Promise<TestRuntime> {
  const ownsDb = opts.ownsDb ?? !opts.db;
  const db = opts.db ?? (await testDatabase());
  const config = opts.config ?? testConfig(opts.env);
  const runtime = await createRuntime(config, { db, clock: opts.clock, domains: opts.domains, work: opts.work, schedulerIntervalMs: 50 });
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

import type { Express } from 'express';
import type { Server } from 'node:http';
import type { AppContext } from './app-context.js';
import { compose, type DomainOptions, type Services } from './composition.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrate.js';
import { createHttpApp } from './http/app.js';
import { DomainEvents } from './jobs/events.js';
import { JobQueue } from './jobs/queue.js';
import { Scheduler } from './jobs/scheduler.js';
import { createLogger, type Logger } from './logger.js';
import { resolveEncryptionKey, SecretBox } from './security/encryption.js';

export interface RuntimeOptions {
  clock?: Clock;
  logger?: Logger;
  /** Use an already open database (tests, several instances on one database). */
  db?: Database;
  /** Which domains run (all by default) and their options; fakes at a seam in tests. */
  domains?: DomainOptions;
  /** Start job workers and the periodic scheduler (default true). */
  work?: boolean;
  schedulerIntervalMs?: number;
}

export interface Runtime {
  ctx: AppContext;
  /** Every domain service, typed (src/composition.ts). */
  services: Services;
  /**
   * Resolves once nothing is left to do: no job queued (due within `horizonSeconds`) or running.
   * Tests await it before asserting that something did NOT happen.
   */
  idle(opts?: { timeoutMs?: number; horizonSeconds?: number }): Promise<void>;
  app: Express;
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  /** Graceful stop: no new requests, running jobs finish, the pool closes. */
  close(): Promise<void>;
}

/** The composition root: database, migrations, jobs, scheduler, domains and the HTTP app. */
export async function createRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const ownsDb = !opts.db;
  const db = opts.db ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: config.dbPoolMax }));
  let server: Server | undefined;
  try {
    const applied = await migrate(db);
    if (applied.length) logger.info({ applied }, 'database migrated');
    const secrets = new SecretBox(resolveEncryptionKey(config.encryptionKey, config.dataDir));
    const jobs = new JobQueue(db, logger, { work: opts.work !== false, fairness: { quietLimit: config.jobsFairShare } });
    const scheduler = new Scheduler(db, clock, logger);
    const events = new DomainEvents(jobs, logger);
    const ctx: AppContext = { config, db, jobs, scheduler, events, logger, clock, secrets };
    const { services, domains } = compose(ctx, opts.domains);
    for (const d of domains) await d.defineJobs?.();
    const app = await createHttpApp(ctx, domains);
    await jobs.start();
    if (opts.work !== false) scheduler.start(opts.schedulerIntervalMs);

    let closing: Promise<void> | undefined;
    return {
      ctx,
      services,
      app,
      idle: (o) => jobs.idle(o),
      listen(port = config.port, host = '0.0.0.0') {
        return new Promise((resolve, reject) => {
          server = app.listen(port, host, () => {
            const addr = server!.address();
            const p = typeof addr === 'object' && addr ? addr.port : port;
            resolve({ url: `http://127.0.0.1:${p}`, port: p });
          });
          server.once('error', reject);
        });
      },
      close() {
        closing ??= (async () => {
          const stopped = server ? new Promise<void>((r) => server!.close(() => r())) : Promise.resolve();
          server?.closeIdleConnections();
          await scheduler.stop();
          await jobs.stop();
          await stopped;
          if (ownsDb) await db.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    if (ownsDb) await db.close().catch(() => {});
    throw err;
  }
}

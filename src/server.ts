import type { Express } from 'express';
import type { Server } from 'node:http';
import type { AppContext, DomainModule } from './app-context.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrate.js';
import { createHttpApp } from './http/app.js';
import { DomainEvents } from './jobs/events.js';
import { JobQueue } from './jobs/queue.js';
import { Scheduler } from './jobs/scheduler.js';
import { createLogger, type Logger } from './logger.js';
import { modules as defaultModules } from './modules.js';
import { resolveEncryptionKey, SecretBox } from './security/encryption.js';

export interface RuntimeOptions {
  clock?: Clock;
  logger?: Logger;
  /** Use an already open database (tests, several instances on one database). */
  db?: Database;
  modules?: DomainModule[];
  /** Start job workers and the periodic scheduler (default true). */
  work?: boolean;
  schedulerIntervalMs?: number;
}

export interface Runtime {
  ctx: AppContext;
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
    const jobs = new JobQueue(db, logger, { work: opts.work !== false });
    const scheduler = new Scheduler(db, clock, logger);
    const events = new DomainEvents(jobs);
    const ctx: AppContext = { config, db, jobs, scheduler, events, logger, clock, secrets, services: {} };
    const app = await createHttpApp(ctx, opts.modules ?? defaultModules);
    await jobs.start();
    if (opts.work !== false) scheduler.start(opts.schedulerIntervalMs);

    let closing: Promise<void> | undefined;
    return {
      ctx,
      app,
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

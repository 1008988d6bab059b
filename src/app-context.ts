import type { Router } from 'express';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { DomainEvents } from './jobs/events.js';
import type { JobQueue } from './jobs/queue.js';
import type { Scheduler } from './jobs/scheduler.js';
import type { Logger } from './logger.js';
import type { SecretBox } from './security/encryption.js';

/** What every domain service gets: built once in server.ts, passed down explicitly. */
export interface AppContext {
  config: Config;
  db: Database;
  jobs: JobQueue;
  scheduler: Scheduler;
  /** Durable cross-domain events (jobs/events.ts). */
  events: DomainEvents;
  logger: Logger;
  clock: Clock;
  secrets: SecretBox;
  /** Domain services registered by modules, for other modules to use (see modules.ts). */
  services: Record<string, unknown>;
}

/**
 * A domain plugs into the app here: it defines its jobs (ctx.jobs.define), periodic tasks
 * (ctx.scheduler.add), services (ctx.services) and HTTP routes (router).
 */
export interface DomainModule {
  name: string;
  register(ctx: AppContext, router: Router): Promise<void> | void;
}

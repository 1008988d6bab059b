import type { Router } from 'express';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { DomainEvents } from './jobs/events.js';
import type { JobQueue } from './jobs/queue.js';
import type { Scheduler } from './jobs/scheduler.js';
import type { Logger } from './logger.js';
import type { SecretBox } from './security/encryption.js';

/**
 * The infrastructure every domain service gets (built once in server.ts). Domain services are
 * not in here: they are constructed with typed dependencies in src/composition.ts.
 */
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
}

/**
 * How a domain plugs into the app (docs/architecture.md, "How to add a domain"): its service is
 * constructed in src/composition.ts, then the runtime calls `defineJobs` (ctx.jobs.define,
 * ctx.events.subscribe, ctx.scheduler.add) and `mountRoutes` once each.
 */
export interface Domain {
  readonly name: string;
  defineJobs?(): Promise<void>;
  mountRoutes?(router: Router): void;
}

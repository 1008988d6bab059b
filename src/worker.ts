import { ConfigError, loadConfig } from './config.js';
import { DatabaseUnavailableError } from './db/database.js';
import { DataDirInUseError } from './db/embedded.js';
import { createRuntime } from './server.js';

/**
 * `npm run worker`: runs the job workers and the periodic scheduler on DATABASE_URL without serving
 * HTTP (the `worker` process type; `npm start -- --no-workers` is the matching `web`). Any number of
 * workers and web processes share one PostgreSQL: pg-boss hands each job to one of them.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env, { requireCredentials: true });
  const runtime = await createRuntime(config, { work: true });
  runtime.ctx.logger.info({ database: runtime.ctx.db.describe }, 'worker started');
  process.send?.({ working: process.pid });
  const shutdown = (signal: string) => {
    runtime.ctx.logger.info({ signal }, 'worker shutting down');
    runtime.close().then(
      () => process.exit(0),
      (err) => {
        runtime.ctx.logger.error({ err }, 'worker shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  const known = err instanceof ConfigError || err instanceof DatabaseUnavailableError || err instanceof DataDirInUseError;
  console.error(known ? err.message : `Worker start-up failed: ${(err as Error).message}`);
  process.exit(1);
});

import { ConfigError, loadConfig } from './config.js';
import { DatabaseUnavailableError } from './db/database.js';
import { DataDirInUseError } from './db/embedded.js';
import { createRuntime } from './server.js';

/**
 * `npm start`: the production server. Refuses to start without HubSpot and Meta credentials.
 * `--no-workers`: serve HTTP only (webhooks are stored and acknowledged); `npm run worker`
 * processes runs the jobs and periodic work (app.json's `web` and `worker` process types).
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env, { requireCredentials: true });
  const work = !process.argv.includes('--no-workers');
  const runtime = await createRuntime(config, { work });
  const { port } = await runtime.listen(config.port);
  runtime.ctx.logger.info({ port, publicBaseUrl: config.publicBaseUrl, database: runtime.ctx.db.describe, work }, 'listening');
  // Started by a parent process (benchmarks, the multi-instance test): tell it where we listen.
  process.send?.({ listening: port });
  const shutdown = (signal: string) => {
    runtime.ctx.logger.info({ signal }, 'shutting down');
    runtime.close().then(
      () => process.exit(0),
      (err) => {
        runtime.ctx.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  const known = err instanceof ConfigError || err instanceof DatabaseUnavailableError || err instanceof DataDirInUseError;
  console.error(known ? err.message : `Start-up failed: ${(err as Error).message}`);
  process.exit(1);
});

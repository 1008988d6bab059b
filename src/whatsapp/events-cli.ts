import { ConfigError, loadConfig } from '../config.js';
import { DatabaseUnavailableError } from '../db/database.js';
import { DataDirInUseError } from '../db/embedded.js';
import { AppError } from '../errors.js';
import { createLogger } from '../logger.js';
import { createRuntime } from '../server.js';
import type { DeadEvent } from './dead-events.js';

const USAGE = `npm run events -- list [--all] [--limit N]   quarantined webhook events and items (--all: with replayed ones)
npm run events -- replay <id> [<id> …]          process them again, with today's code and data`;

function line(d: DeadEvent): string {
  const what = d.ref === '' ? 'whole event' : d.ref;
  const state = d.resolvedAt ? `replayed ${d.resolvedAt.toISOString()}` : `${d.attempts} attempt(s)`;
  return `#${d.id}  event ${d.eventId} (${d.receivedAt.toISOString()})  ${d.kind} ${what}${d.key ? ` [${d.key}]` : ''}  ${state}\n      ${d.reason}`;
}

/**
 * The operator's dead-event list (docs/whatsapp.md "Dead events"): what the webhook processing
 * quarantined, and a replay once the cause is fixed. Runs on DATABASE_URL (or the embedded
 * database when the app is stopped) with no job workers: work a replay enqueues (timeline,
 * conversation) is done by the running app.
 */
async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command !== 'list' && command !== 'replay') throw new ConfigError(USAGE);
  const config = loadConfig(process.env);
  // The listing is the output: the app's info lines (migrations…) only with LOG_LEVEL set.
  const runtime = await createRuntime(config, { work: false, logger: createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn') });
  try {
    const channel = runtime.services.whatsapp;
    if (!channel) throw new ConfigError('the whatsapp domain is not running');
    if (command === 'list') {
      const limit = args.includes('--limit') ? Number(args[args.indexOf('--limit') + 1]) : 100;
      const rows = await channel.deadEvents({ all: args.includes('--all'), limit });
      console.log(rows.length ? rows.map(line).join('\n') : 'No dead events.');
      return;
    }
    const ids = args.map(Number);
    if (ids.length === 0 || ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) throw new ConfigError(USAGE);
    for (const id of ids) {
      const r = await channel.replayDeadEvent(id);
      console.log(`#${id}: ${r.outcome}${r.reason ? ` — ${r.reason}` : ''}`);
      if (r.outcome === 'still_failing') process.exitCode = 2;
    }
  } finally {
    await runtime.close();
  }
}

main().catch((err) => {
  const known = err instanceof ConfigError || err instanceof DatabaseUnavailableError || err instanceof DataDirInUseError || err instanceof AppError;
  console.error(known ? err.message : `events: ${(err as Error).message}`);
  process.exit(1);
});

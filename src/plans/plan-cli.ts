import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { DatabaseUnavailableError, openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { clearPlan, planOf, setPlan } from './plan.js';
import { usageOf } from './usage.js';

const USAGE = `npm run plan -- --portal <hubId> [--name Pro] [--contacts 2000|unlimited] [--seats 5|unlimited] [--reset]
  Without --name/--contacts/--seats/--reset it prints the portal's plan and this month's usage.`;

const limit = (v: string | undefined, what: string, current: number | null): number | null => {
  if (v === undefined) return current;
  if (v === 'unlimited') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`--${what} must be a whole number or "unlimited"`);
  return n;
};

/** The operator's command for a portal's plan (F24): the per-portal override of PLAN_* defaults. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { portal: { type: 'string' }, name: { type: 'string' }, contacts: { type: 'string' }, seats: { type: 'string' }, reset: { type: 'boolean' } },
  });
  const portalId = Number(values.portal);
  if (!Number.isInteger(portalId) || portalId <= 0) throw new ConfigError(`--portal is required\n${USAGE}`);
  const config = loadConfig(process.env);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db);
    if (values.reset) await clearPlan(db.pool, portalId);
    else if (values.name !== undefined || values.contacts !== undefined || values.seats !== undefined) {
      const current = await planOf(db.pool, config, portalId);
      await setPlan(db.pool, portalId, {
        name: values.name ?? current.name,
        activeContacts: limit(values.contacts, 'contacts', current.activeContacts),
        seats: limit(values.seats, 'seats', current.seats),
      });
    }
    console.log(JSON.stringify(await usageOf(db.pool, config, portalId, new Date()), null, 2));
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  const known = err instanceof ConfigError || err instanceof DatabaseUnavailableError;
  console.error(known ? err.message : `plan: ${(err as Error).message}`);
  process.exit(1);
});

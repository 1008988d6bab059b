import { loadConfig, ConfigError } from '../config.js';
import { openDatabase, DatabaseUnavailableError } from './database.js';
import { migrate } from './migrate.js';

/** `npm run migrate`: applies pending migrations and says which. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrate(db);
    console.log(applied.length ? `Applied ${applied.join(', ')} on ${db.describe}` : `Up to date: ${db.describe}`);
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  const known = err instanceof ConfigError || err instanceof DatabaseUnavailableError;
  console.error(known ? err.message : `Migration failed: ${(err as Error).message}`);
  process.exit(1);
});

import { openDatabase, type Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { createScratchDatabase } from '../../src/db/scratch-database.js';

/**
 * A fresh, isolated database for one test file: a new database on the PostgreSQL server when
 * DATABASE_URL is set (dropped afterwards), otherwise an in-memory embedded PostgreSQL (PGlite).
 */
export async function testDatabase(opts: { migrate?: boolean } = {}): Promise<Database> {
  const serverUrl = process.env.DATABASE_URL;
  let db: Database;
  let drop: (() => Promise<void>) | undefined;
  if (serverUrl) {
    const scratch = await createScratchDatabase(serverUrl, { prefix: 't', randomBytes: 4 });
    db = await openDatabase({ databaseUrl: scratch.url, poolMax: 6 });
    drop = scratch.drop;
  } else {
    db = await openDatabase({});
  }
  if (opts.migrate !== false) await migrate(db);
  const close = db.close.bind(db);
  db.close = async () => {
    await close();
    await drop?.();
  };
  return db;
}

export const usingServer = (): boolean => Boolean(process.env.DATABASE_URL);

import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';

/**
 * A fresh, isolated database for one test file: a new database on the PostgreSQL server when
 * DATABASE_URL is set (dropped afterwards), otherwise an in-memory embedded PostgreSQL (PGlite).
 */
export async function testDatabase(opts: { migrate?: boolean } = {}): Promise<Database> {
  const serverUrl = process.env.DATABASE_URL;
  let db: Database;
  let drop: (() => Promise<void>) | undefined;
  if (serverUrl) {
    const name = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    db = await openDatabase({ databaseUrl: u.toString(), poolMax: 6 });
    drop = async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
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

import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface ScratchDatabase {
  /** Connection string of the new database (the server's, with the new name as its path). */
  url: string;
  /** Drops the database, closing any connections still open to it. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, empty database on the PostgreSQL server at `serverUrl` (for a test file or a
 * benchmark run), named `<prefix>_<time>_<random hex>`.
 */
export async function createScratchDatabase(serverUrl: string, opts: { prefix: string; randomBytes?: number }): Promise<ScratchDatabase> {
  const name = `${opts.prefix}_${Date.now().toString(36)}_${randomBytes(opts.randomBytes ?? 3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

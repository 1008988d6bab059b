import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const LOCK_ID = 724_011_001; // advisory lock: instances starting together migrate one at a time

export interface Migration {
  version: string;
  sql: string;
}

/** Plain versioned SQL files `NNN_name.sql`, applied in order, each once. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: f.replace(/\.sql$/, ''), sql: readFileSync(new URL(f, `file://${dir}/`), 'utf8') }));
}

/** Applies pending migrations in one transaction; returns the versions applied (none the second time). */
export async function migrate(db: Database, migrations = loadMigrations()): Promise<string[]> {
  return db.tx(async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(${LOCK_ID})`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const done = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
      applied.push(m.version);
    }
    return applied;
  });
}

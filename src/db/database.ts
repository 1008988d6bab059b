import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.js';
import path from 'node:path';

// BIGINT (int8) columns hold HubSpot ids and counters that fit in a JS number; COUNT(*) returns int8 too.
pg.types.setTypeParser(20, (v: string) => Number(v));

/** Anything that runs SQL: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface Database {
  pool: pg.Pool;
  /** Connection string (with any password); never log it, use `describe`. */
  url: string;
  /** Where the data lives, without secrets: for start-up lines and errors. */
  describe: string;
  embedded: boolean;
  query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Runs `fn` in one transaction; rolls back when it throws. Never wait on another connection inside. */
  tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class DatabaseUnavailableError extends Error {}

const commitHooks = new WeakMap<object, Array<() => void>>();

/**
 * Runs `fn` once the transaction `q` belongs to has committed (at once when `q` is not inside a
 * `db.tx`): wakes local job workers for work that becomes visible only at commit.
 */
export function afterCommit(q: Queryable, fn: () => void): void {
  const hooks = commitHooks.get(q);
  if (hooks) hooks.push(fn);
  else fn();
}

const commitSteps = new WeakMap<object, Array<() => Promise<void>>>();

/**
 * Queues `fn` to run inside the transaction `q` belongs to, just before its COMMIT (a failure rolls
 * the transaction back). Returns false, queuing nothing, when `q` is not inside a `db.tx`.
 */
export function beforeCommit(q: Queryable, fn: () => Promise<void>): boolean {
  const steps = commitSteps.get(q);
  if (!steps) return false;
  steps.push(fn);
  return true;
}

/** An object that stands for the transaction `q` is in (a new one per `db.tx`), undefined outside one. */
export function transactionOf(q: Queryable): object | undefined {
  return commitSteps.get(q);
}

export interface OpenOptions {
  databaseUrl?: string;
  /** For the embedded database; undefined keeps it in memory (tests). */
  dataDir?: string;
  poolMax?: number;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Opens the system of record: PostgreSQL at DATABASE_URL, else the embedded PGlite in DATA_DIR. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = opts.databaseUrl;
  let describe: string;
  if (url) {
    describe = redactUrl(url);
  } else {
    const dir = opts.dataDir ? path.resolve(opts.dataDir, 'pglite') : undefined;
    embedded = await startEmbeddedPostgres(dir);
    url = embedded.url;
    describe = dir ? `embedded PostgreSQL (PGlite) in ${dir}` : 'embedded PostgreSQL (PGlite) in memory';
  }
  // PGlite is one session: a small pool is plenty and keeps its queue short.
  const max = embedded ? Math.min(opts.poolMax ?? 4, 4) : (opts.poolMax ?? 10);
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {
    /* an idle client died (server restart); the pool replaces it */
  });
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => {});
    await embedded?.close().catch(() => {});
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new DatabaseUnavailableError(`Cannot connect to the database at ${describe}: ${reason}`);
  }
  const db: Database = {
    pool,
    url,
    describe,
    embedded: Boolean(embedded),
    query: (text, values) => pool.query(text, values as unknown[]),
    async tx(fn) {
      const client = await pool.connect();
      const hooks: Array<() => void> = [];
      const steps: Array<() => Promise<void>> = [];
      commitHooks.set(client, hooks);
      commitSteps.set(client, steps);
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        for (let step = steps.shift(); step; step = steps.shift()) await step();
        commitSteps.delete(client);
        await client.query('COMMIT');
        commitHooks.delete(client);
        for (const h of hooks) h();
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        commitHooks.delete(client);
        commitSteps.delete(client);
        client.release();
      }
    },
    async close() {
      await pool.end();
      await embedded?.close();
    },
  };
  return db;
}

/**
 * An error worth retrying as it is (the same statement may succeed later): serialization failures
 * and deadlocks, lock and statement timeouts, lost connections, a server shutting down or out of
 * resources. Anything else (bad data, a constraint, a bug) fails the same way every time.
 */
export function isTransientDbError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return ['40', '08', '53', '57', '58'].includes(code.slice(0, 2)) || code === '55P03';
  }
  const message = err instanceof Error ? err.message : '';
  return /connection|terminated|ECONNRESET|ECONNREFUSED|ETIMEDOUT|not queryable/i.test(message);
}

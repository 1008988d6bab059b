import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/db/database.js';
import { loadMigrations, migrate } from '../../src/db/migrate.js';
import { testDatabase, usingServer } from '../helpers/db.js';

describe('database', () => {
  it('applies every migration once; running them again changes nothing', async () => {
    const db = await testDatabase({ migrate: false });
    try {
      const first = await migrate(db);
      expect(first).toEqual(loadMigrations().map((m) => m.version));
      expect(await migrate(db)).toEqual([]);
      const tables = await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
      expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['portals', 'contacts', 'messages', 'conversations']));
    } finally {
      await db.close();
    }
  });

  it('keeps one conversation open per contact and number (unique constraint)', async () => {
    const db = await testDatabase();
    try {
      await db.query(`INSERT INTO portals (id) VALUES (1)`);
      const c = await db.query(`INSERT INTO contacts (portal_id, phone_e164) VALUES (1, '+573001112233') RETURNING id`);
      const insert = () =>
        db.query(`INSERT INTO conversations (portal_id, contact_id, phone_number_id, status) VALUES (1, $1, 'PN1', 'open')`, [c.rows[0].id]);
      await insert();
      await expect(insert()).rejects.toThrow(/conversations_one_active/);
    } finally {
      await db.close();
    }
  });

  it('isolates concurrent transactions on several connections, also on the embedded database', async () => {
    const db = await testDatabase();
    try {
      await db.query('CREATE TABLE counter (n INT NOT NULL)');
      await db.query('INSERT INTO counter VALUES (0)');
      // 20 read-modify-write transactions with parameterised queries at once: none may be lost.
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.tx(async (c) => {
            const r = await c.query('SELECT n FROM counter FOR UPDATE');
            await c.query('UPDATE counter SET n = $1', [r.rows[0].n + 1]);
          }),
        ),
      );
      const failing = db.tx(async (c) => {
        await c.query('UPDATE counter SET n = $1', [999]);
        throw new Error('abort');
      });
      await expect(failing).rejects.toThrow('abort');
      expect((await db.query('SELECT n FROM counter')).rows[0].n).toBe(20);
    } finally {
      await db.close();
    }
  });

  (usingServer() ? it.skip : it)('keeps embedded data in DATA_DIR across restarts and refuses a second opener', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wa-hs-data-'));
    const first = await openDatabase({ dataDir: dir });
    await migrate(first);
    await first.query(`INSERT INTO portals (id, domain) VALUES (42, 'kept.example')`);
    await expect(openDatabase({ dataDir: dir })).rejects.toThrow(/is in use by this process/);
    await first.close();
    const second = await openDatabase({ dataDir: dir });
    try {
      expect(await migrate(second)).toEqual([]);
      expect((await second.query('SELECT domain FROM portals WHERE id = 42')).rows[0].domain).toBe('kept.example');
    } finally {
      await second.close();
    }
  });

  it('names an unreachable DATABASE_URL without its password', async () => {
    await expect(openDatabase({ databaseUrl: 'postgres://u:hunter2@127.0.0.1:1/x' })).rejects.toThrow(
      /^Cannot connect to the database at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x: ECONNREFUSED$/,
    );
  });
});

/**
 * Issue 17 item 1: the operator's dead-event list and replay command (`npm run events`), run as an
 * operator would, on the app's database: a quarantined event is listed with its reason, a replay
 * before the fix fails again (exit code 2) and keeps it listed, a replay after the fix processes it
 * and takes it off the list.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/db/database.js';
import { TEST_SECRETS } from '../helpers/config.js';
import { startEmbeddedHost } from '../helpers/embedded-host.js';

let host: Awaited<ReturnType<typeof startEmbeddedHost>>;
let url = '';

beforeAll(async () => {
  host = await startEmbeddedHost();
  url = host.url;
});
afterAll(async () => {
  await host?.close();
});

function events(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/whatsapp/events-cli.ts', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'wa-events-')), ...TEST_SECRETS, DATABASE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/** One short session (the embedded host serves one at a time), closed before the command runs. */
async function sql<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
  const db = await openDatabase({ databaseUrl: url, poolMax: 1 });
  try {
    return (await db.query(text, params)).rows as T[];
  } finally {
    await db.close();
  }
}

describe('npm run events', () => {
  it('lists a quarantined event with its reason, replays it only once fixed, and then lists it no more', async () => {
    const empty = await events('list'); // also migrates the fresh database
    expect(empty).toMatchObject({ code: 0, out: 'No dead events.\n' });

    const [event] = await sql<{ id: string }>(`INSERT INTO webhook_events (raw_body, state) VALUES ($1, 'invalid') RETURNING id`, [Buffer.from('{"entry": [')]);
    const [dead] = await sql<{ id: string }>(
      `INSERT INTO webhook_quarantine (event_id, kind, reason) VALUES ($1, 'event', 'body is not JSON: Unexpected end of JSON input') RETURNING id`,
      [event!.id],
    );
    const listed = await events('list');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(new RegExp(`^#${dead!.id}  event ${event!.id} \\(.+\\)  event whole event  1 attempt\\(s\\)\\n      body is not JSON`));

    const early = await events('replay', String(dead!.id));
    expect(early.code).toBe(2);
    // (the app's warning lines, JSON, come out too: the command's answer is its own line)
    expect(early.out).toMatch(new RegExp(`^#${dead!.id}: still_failing — .*not JSON`, 'm'));
    expect((await events('list')).out).toContain(`#${dead!.id}  event ${event!.id}`);

    // The cause is fixed (here: the stored body repaired); the replay processes it.
    await sql(`UPDATE webhook_events SET raw_body = $2 WHERE id = $1`, [event!.id, Buffer.from('{"object":"whatsapp_business_account","entry":[]}')]);
    const fixed = await events('replay', String(dead!.id));
    expect(fixed.code).toBe(0);
    expect(fixed.out).toMatch(new RegExp(`^#${dead!.id}: processed$`, 'm'));
    expect((await events('list')).out).toBe('No dead events.\n');
    expect((await events('list', '--all')).out).toMatch(new RegExp(`^#${dead!.id} .* replayed \\d{4}-`));

    const usage = await events('replay', 'abc');
    expect(usage.code).toBe(1);
    expect(usage.err).toContain('npm run events -- replay <id>');
  }, 240_000);
});

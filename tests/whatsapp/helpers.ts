import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import request from 'supertest';
import type { Database } from '../../src/db/database.js';
import type { SecretBox } from '../../src/security/encryption.js';
import { signMetaBody } from '../../src/whatsapp/signature.js';
import { TEST_SECRETS } from '../helpers/config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES_DIR = path.resolve(here, '../../../shared/fixtures/whatsapp');

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.json')).sort();
}

export function fixture(name: string): any {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, name), 'utf8'));
}

/** Meta's serialization: non-ASCII as lower-case \uXXXX escapes and '/' as '\/'. */
export function metaJson(payload: unknown): string {
  return JSON.stringify(payload)
    .replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
    .replace(/\//g, '\\/');
}

/** POST /webhooks/whatsapp signed with the test app secret over exactly these bytes. */
export function postWebhook(app: Express, payload: unknown, opts: { secret?: string; signature?: string | null } = {}) {
  const body = typeof payload === 'string' ? payload : metaJson(payload);
  let t = request(app).post('/webhooks/whatsapp').set('Content-Type', 'application/json');
  const sig = opts.signature === undefined ? signMetaBody(body, opts.secret ?? TEST_SECRETS.WHATSAPP_APP_SECRET) : opts.signature;
  if (sig !== null) t = t.set('X-Hub-Signature-256', sig);
  return t.send(body);
}

export const PORTAL_ID = 4242;
export const PHONE_NUMBER_ID = '106540352242922';
export const WABA_ID = '102290129340398';
export const TOKEN = 'EAAtesttoken-0123456789-abcdefghij';

export async function seedNumber(
  db: Database,
  secrets: SecretBox,
  p: { portalId?: number; phoneNumberId?: string; wabaId?: string; token?: string; label?: string; displayPhoneNumber?: string; installedBy?: number } = {},
): Promise<void> {
  const portalId = p.portalId ?? PORTAL_ID;
  // installedBy: the HubSpot user who installed the app, i.e. the admin (none when unknown: the admin check fails closed)
  await db.query(`INSERT INTO portals (id, installed_by_user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [portalId, p.installedBy ?? null]);
  await db.query(
    `INSERT INTO whatsapp_numbers (portal_id, phone_number_id, waba_id, label, access_token_enc, display_phone_number)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [portalId, p.phoneNumberId ?? PHONE_NUMBER_ID, p.wabaId ?? WABA_ID, p.label ?? 'Customer Support', secrets.encrypt(p.token ?? TOKEN), p.displayPhoneNumber ?? '15550783881'],
  );
}

/** Deep-replaces every string equal to `from` (fixtures share sample wamids). */
export function rewriteIds(payload: any, suffix: string): any {
  return JSON.parse(JSON.stringify(payload), (k, v) => (typeof v === 'string' && v.startsWith('wamid.') ? `${v}.${suffix}` : v));
}

export async function jobCount(db: Database, queue: string): Promise<number> {
  const r = await db.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1`, [queue]);
  return r.rows[0].n;
}

export { waitFor } from '../helpers/wait.js';

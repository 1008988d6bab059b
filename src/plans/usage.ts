import { DateTime } from 'luxon';
import type { Config } from '../config.js';
import type { Queryable } from '../db/database.js';
import { withDefaults } from '../settings/defaults.js';
import type { Settings } from '../settings/types.js';
import { planOf, type Plan } from './plan.js';

/** A calendar month in the portal's business time zone. */
export interface Month {
  from: string;
  to: string;
  start: Date;
  end: Date;
}

export function monthOf(now: Date, timeZone: string): Month {
  const s = DateTime.fromJSDate(now, { zone: timeZone }).startOf('month');
  const e = s.plus({ months: 1 });
  return { from: s.toISODate()!, to: e.minus({ days: 1 }).toISODate()!, start: s.toJSDate(), end: e.toJSDate() };
}

export async function timeZoneOf(q: Queryable, portalId: number): Promise<string> {
  const r = await q.query<{ settings: Partial<Settings> | null }>('SELECT settings FROM portal_settings WHERE portal_id = $1', [portalId]);
  return withDefaults(r.rows[0]?.settings).businessHours.timeZone;
}

/** Distinct contacts with a message in or out during the month (index messages_portal_time). */
export async function activeContacts(q: Queryable, portalId: number, m: Month): Promise<number> {
  const r = await q.query<{ n: string }>(
    'SELECT count(DISTINCT contact_id) AS n FROM messages WHERE portal_id = $1 AND sent_at >= $2 AND sent_at < $3',
    [portalId, m.start, m.end],
  );
  return Number(r.rows[0]?.n ?? 0);
}

export async function isActiveContact(q: Queryable, contactId: number, m: Month): Promise<boolean> {
  const r = await q.query('SELECT 1 FROM messages WHERE contact_id = $1 AND sent_at >= $2 AND sent_at < $3 LIMIT 1', [contactId, m.start, m.end]);
  return (r.rowCount ?? 0) > 0;
}

export async function seatsUsed(q: Queryable, portalId: number): Promise<number> {
  const r = await q.query<{ n: string }>('SELECT count(*) AS n FROM agents WHERE portal_id = $1 AND active', [portalId]);
  return Number(r.rows[0]?.n ?? 0);
}

export interface Usage {
  period: { from: string; to: string };
  plan: Plan;
  used: { activeContacts: number; seats: number };
}

/** GET /api/v1/usage */
export async function usageOf(q: Queryable, config: Pick<Config, 'plan'>, portalId: number, now: Date): Promise<Usage> {
  const m = monthOf(now, await timeZoneOf(q, portalId));
  const [plan, contacts, seats] = await Promise.all([planOf(q, config, portalId), activeContacts(q, portalId, m), seatsUsed(q, portalId)]);
  return { period: { from: m.from, to: m.to }, plan, used: { activeContacts: contacts, seats } };
}

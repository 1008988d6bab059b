import type { Queryable } from '../db/database.js';
import type { ErasureSubject } from '../seams.js';

/**
 * Privacy deletion, the WhatsApp channel's part: what it keeps about a person outside their contact's
 * rows (which go by foreign key). Raw webhook bodies (`webhook_events`, kept 30 days) carry their
 * number, profile name and texts; the status history (`message_status_events`) their number. A body
 * often carries other customers too (Meta batches), so it is redacted, not deleted: the person's own
 * items go, everyone else's stay. A redacted body is re-serialised JSON, no longer the bytes Meta sent.
 */

export const ERASED = '[erased]';

/** The strings that name the person in Meta's payloads: wa_id / phone digits and business-scoped user ids. */
export function identifiersOf(who: ErasureSubject): string[] {
  const ids = new Set<string>();
  for (const x of [...who.waIds, ...who.phones]) {
    const digits = x.replace(/\D/g, '');
    if (digits.length >= 6) ids.add(digits); // a phone, never a fragment that would match anything
  }
  for (const b of who.bsuids) if (b.trim()) ids.add(b.trim());
  return [...ids];
}

type Named = (v: unknown) => boolean;

/**
 * Drops every object in an array that names the person in one of its own fields (a `contacts[]` entry
 * by `wa_id`, a message by `from`, a status by `recipient_id`, an echo by `to`, a shared contact card's
 * phone by `wa_id`), then blanks any other string that still contains one of their identifiers.
 */
function redactJson(v: unknown, named: Named, ids: string[]): unknown {
  if (typeof v === 'string') return ids.reduce((s, id) => s.split(id).join(ERASED), v);
  if (Array.isArray(v)) {
    const kept = v.filter((item) => !(item && typeof item === 'object' && !Array.isArray(item) && Object.values(item).some(named)));
    return kept.map((item) => redactJson(item, named, ids));
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactJson(x, named, ids)]));
  return v;
}

/** A stored webhook body without the person: structural for JSON, their identifiers blanked otherwise. */
export function redactWebhookBody(raw: string, ids: string[]): string {
  const named: Named = (x) => typeof x === 'string' && (ids.includes(x) || ids.includes(x.replace(/\D/g, '')));
  try {
    return JSON.stringify(redactJson(JSON.parse(raw), named, ids));
  } catch {
    return redactJson(raw, named, ids) as string; // not JSON (kept as `invalid`): only the identifiers can be found
  }
}

const mentionsSql = (col: string) => `EXISTS (SELECT 1 FROM unnest($1::text[]) AS n(id) WHERE strpos(${col}, n.id) > 0)`;
/** The raw body is the bytes Meta sent (BYTEA): searched as bytes. */
const bodyMentionsSql = `EXISTS (SELECT 1 FROM unnest($1::text[]) AS n(id) WHERE position(convert_to(n.id, 'UTF8') IN raw_body) > 0)`;

/** Webhooks naming the person that are still to be processed. */
export async function pendingWebhooks(q: Queryable, who: ErasureSubject): Promise<number> {
  const ids = identifiersOf(who);
  if (!ids.length) return 0;
  const r = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_events WHERE state = 'pending' AND ${bodyMentionsSql}`, [ids]);
  return r.rows[0]!.n;
}

export async function eraseTraces(q: Queryable, who: ErasureSubject): Promise<{ webhookEvents: number; statusEvents: number }> {
  const ids = identifiersOf(who);
  let webhookEvents = 0;
  if (ids.length) {
    const rows = await q.query<{ id: number; raw_body: Buffer; summary: unknown }>(
      `SELECT id, raw_body, summary FROM webhook_events WHERE ${bodyMentionsSql} OR ${mentionsSql("COALESCE(summary::text, '')")} FOR UPDATE`,
      [ids],
    );
    for (const row of rows.rows) {
      const summary = row.summary === null ? null : redactWebhookBody(JSON.stringify(row.summary), ids);
      const body = Buffer.from(redactWebhookBody(row.raw_body.toString('utf8'), ids), 'utf8');
      await q.query('UPDATE webhook_events SET raw_body = $2, summary = $3::jsonb WHERE id = $1', [row.id, body, summary]);
      webhookEvents++;
    }
    // A quarantine reason can quote the item (a database error naming a value): blank their identifiers.
    const reasons = await q.query<{ id: number; reason: string; item_key: string | null }>(
      `SELECT id, reason, item_key FROM webhook_quarantine WHERE ${mentionsSql('reason')} OR item_key = ANY($2::text[]) FOR UPDATE`,
      [ids, who.wamids],
    );
    for (const r of reasons.rows) {
      const key = r.item_key && who.wamids.some((w) => r.item_key!.startsWith(w)) ? ERASED : r.item_key;
      await q.query('UPDATE webhook_quarantine SET reason = $2, item_key = $3 WHERE id = $1', [r.id, redactWebhookBody(r.reason, ids), key]);
    }
  }
  const statuses = await q.query('DELETE FROM message_status_events WHERE wamid = ANY($1::text[]) OR recipient_id = ANY($2::text[])', [who.wamids, ids]);
  return { webhookEvents, statusEvents: statuses.rowCount ?? 0 };
}

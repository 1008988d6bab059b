import type { AppContext } from '../../src/app-context.js';
import type { ConversationSeams, ConversationsService } from '../../src/conversations/index.js';
import { recordEvent } from '../../src/reports/events.js';
import { PORTAL_ID } from './load.js';

/** Seams that never leave the process: the inbound path needs no send for a consented contact in hours. */
export const quietSeams = (): ConversationSeams => ({
  sender: {
    send: async () => {
      throw new Error('the write-path benchmark sends nothing');
    },
    mediaOf: async () => null,
  },
  directory: { owners: async () => [], contactOwnerId: async () => null, lookupHubSpotContact: async () => undefined },
  tasks: { enqueueTask: async () => {}, completeTask: async () => {} },
  consent: { mirrorConsent: async () => {} },
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The inbound path of a new conversation (handleInbound: contact lock, conversation, routing, the
 * reporting inserts), timed per message; then the reporting inserts alone (opened + routed, what that
 * path adds), in their own transactions on conversations made for it. Their ratio is the share of
 * the inbound path the reporting events cost.
 */
export async function measureWritePath(ctx: AppContext, svc: ConversationsService, n: number, at: Date): Promise<{ inboundMs: number; reportingMs: number }> {
  const base = 900_000_000_000;
  const contacts = await ctx.db.query<{ id: number }>(
    `INSERT INTO contacts (portal_id, wa_id, phone_e164, consent) SELECT $1, (${base} + i)::text, '+' || (${base} + i), 'granted'
     FROM generate_series(1, $2::int) i RETURNING id`,
    [PORTAL_ID, 2 * n],
  );
  const ids = contacts.rows.map((r) => Number(r.id));
  const inbound: number[] = [];
  for (const contactId of ids.slice(0, n)) {
    const m = await ctx.db.query<{ id: number }>(
      `INSERT INTO messages (portal_id, contact_id, phone_number_id, wamid, direction, type, text, status, sender, sent_at)
       VALUES ($1, $2, 'pn1', $4, 'in', 'text', 'Hola', 'received', 'customer', $3) RETURNING id`,
      [PORTAL_ID, contactId, at, `wamid.w.${contactId}`],
    );
    const t = performance.now();
    await svc.handleInbound(Number(m.rows[0]!.id));
    inbound.push(performance.now() - t);
  }
  const reporting: number[] = [];
  for (const contactId of ids.slice(n)) {
    const c = await ctx.db.query<{ id: number; portal_id: number; contact_id: number; phone_number_id: string }>(
      `INSERT INTO conversations (portal_id, contact_id, phone_number_id, status, opened_at) VALUES ($1, $2, 'pn1', 'open', $3)
       RETURNING id, portal_id, contact_id, phone_number_id`,
      [PORTAL_ID, contactId, at],
    );
    const conv = { ...c.rows[0]!, id: Number(c.rows[0]!.id) };
    // Inside a transaction, as in the inbound path; only the two hook calls are timed.
    await ctx.db.tx(async (tx) => {
      const t = performance.now();
      await recordEvent(tx, { kind: 'opened', conv, at, origin: 'customer' });
      await recordEvent(tx, { kind: 'assigned', conv, at, agentId: 1, method: 'round_robin' });
      reporting.push(performance.now() - t);
    });
  }
  // The first few warm caches and plans; leave them out.
  const skip = Math.min(20, Math.floor(n / 5));
  return { inboundMs: mean(inbound.slice(skip)), reportingMs: mean(reporting.slice(skip)) };
}

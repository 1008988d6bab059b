import pg from 'pg';
import type { AppContext } from '../../src/app-context.js';
import type { ConversationSeams, ConversationsService } from '../../src/conversations/index.js';
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

/**
 * Times, inside the real path, the statements the reporting events send (report_record and the
 * rollup read before a first reply or a resolution): every pg client's query is wrapped while `fn`
 * runs, and those whose text is a reporting statement add their time to the total.
 */
async function timingReporting<T>(fn: (spent: () => { ms: number; calls: number }) => Promise<T>): Promise<T> {
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const original = proto.query;
  let spent = 0;
  let calls = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    const result = original.apply(this, args);
    if (!text || !REPORTING.test(text) || !(result instanceof Promise)) return result;
    calls++;
    const t = performance.now();
    return result.finally(() => (spent += performance.now() - t));
  };
  try {
    return await fn(() => ({ ms: spent, calls }));
  } finally {
    proto.query = original;
  }
}
const REPORTING = /report_record\(|FROM report_conversations r LEFT JOIN portal_settings/;

export interface WritePath {
  /** Mean time of handleInbound for a new conversation (contact lock, conversation, routing, reporting). */
  inboundMs: number;
  /** Mean time, per message and inside those same calls, of the reporting statements. */
  reportingMs: number;
  /** Reporting statements per message. */
  statements: number;
}

/**
 * The inbound path of a new conversation (handleInbound: contact lock, conversation, routing, the
 * reporting events opened + routed), one message at a time, in-process; the reporting statements
 * are timed inside those very calls (their round trips included). What it leaves out (the webhook,
 * the job queue, the reply to Meta, the HubSpot timeline) only makes the pipeline's share smaller.
 */
export async function measureWritePath(ctx: AppContext, svc: ConversationsService, n: number, at: Date): Promise<WritePath> {
  const base = 900_000_000_000;
  const contacts = await ctx.db.query<{ id: number }>(
    `INSERT INTO contacts (portal_id, wa_id, phone_e164, consent) SELECT $1, (${base} + i)::text, '+' || (${base} + i), 'granted'
     FROM generate_series(1, $2::int) i RETURNING id`,
    [PORTAL_ID, n],
  );
  const ids = contacts.rows.map((r) => Number(r.id));
  // The first few warm caches and plans; leave them out.
  const skip = Math.min(20, Math.floor(n / 5));
  return timingReporting(async (spent) => {
    let total = 0;
    let reporting = 0;
    let statements = 0;
    for (const [i, contactId] of ids.entries()) {
      const m = await ctx.db.query<{ id: number }>(
        `INSERT INTO messages (portal_id, contact_id, phone_number_id, wamid, direction, type, text, status, sender, sent_at)
         VALUES ($1, $2, 'pn1', $4, 'in', 'text', 'Hola', 'received', 'customer', $3) RETURNING id`,
        [PORTAL_ID, contactId, at, `wamid.w.${contactId}`],
      );
      const s0 = spent();
      const t = performance.now();
      await svc.handleInbound(Number(m.rows[0]!.id));
      if (i < skip) continue;
      total += performance.now() - t;
      const s1 = spent();
      reporting += s1.ms - s0.ms;
      statements += s1.calls - s0.calls;
    }
    return { inboundMs: total / (n - skip), reportingMs: reporting / (n - skip), statements: statements / (n - skip) };
  });
}

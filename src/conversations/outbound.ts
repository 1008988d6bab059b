import type { PoolClient } from 'pg';
import type { ContactRow } from '../contacts/contacts-repo.js';
import { afterCommit, type Queryable } from '../db/database.js';
import { AppError } from '../errors.js';
import type { ConversationDeps } from './deps.js';
import { STAGEABLE_KINDS } from '../seams.js';
import type { OutboundContent, OutboundRequest } from '../whatsapp/types.js';

export const SEND_QUEUE = 'conversations.send';
/**
 * Automatic sends at once per process, on each path (send jobs; sends after an inbound turn). A send is mostly waiting
 * (its slot, PostgreSQL, Meta): 8 capped one instance at ~30 sends/s (bench:pipeline); unbounded,
 * hundreds of callers each booked a slot and a busy event loop woke them late and bunched (156 sends
 * in one second at a tier of 80, 102 × 130429).
 */
const SEND_CONCURRENCY = 16;

/** An automatic message (bot, system) the domain sends after its transaction commits. */
export interface AutoSend {
  portalId: number;
  contactId: number;
  phoneNumberId: string;
  conversationId: number | null;
  sender: 'bot' | 'system';
  /** Idempotency key: a retried job never sends twice. */
  clientKey: string;
  content: OutboundContent;
  /** consent_prompt: remember the sent message as the conversation's prompt (evidence). */
  purpose?: 'consent_prompt';
}

/** Errors a retry cannot fix: the message is dropped (and logged) instead of retried. */
const FINAL_CODES = new Set([
  'WINDOW_CLOSED', 'UNDELIVERABLE', 'MARKETING_LIMIT', 'NUMBER_TOKEN_INVALID', 'TEMPLATE_PARAMS', 'VALIDATION', 'NOT_FOUND', 'OPTED_OUT', 'NO_CONSENT',
  'PORTAL_UNINSTALLED', 'AUTO_REPLY_LIMIT', // the sender's policy gate (src/whatsapp/send-policy.ts)
]);

const requestOf = (s: AutoSend): OutboundRequest => ({
  portalId: s.portalId,
  contactId: s.contactId,
  phoneNumberId: s.phoneNumberId,
  conversationId: s.conversationId,
  sender: s.sender,
  clientKey: s.clientKey,
  content: s.content,
});

/**
 * A send that failed for good (the policy said no, Meta refused it) is dropped with a warning: a retry
 * cannot make it go. Anything else is thrown on, to be retried.
 */
function dropIfFinal(d: ConversationDeps, s: AutoSend, err: unknown): void {
  if (!(err instanceof AppError && (FINAL_CODES.has(err.code) || (err.status < 500 && err.status !== 429)))) throw err;
  d.ctx.logger.warn({ code: err.code, clientKey: s.clientKey, conversationId: s.conversationId }, 'automatic message not sent');
}

/**
 * The inbound turn's automatic messages (the consent bot's prompt and answers, notices): stored in
 * the turn's transaction through the sender's gate, handed to Meta as soon as it commits, with no job
 * hop (one job fewer per bot reply, and no wait for a send worker: docs/scaling.md). A process that dies in
 * between leaves the row for recovery.ts to resume. Content the sender cannot stage goes as a job.
 */
export async function sendAfterCommit(d: ConversationDeps, c: PoolClient, contact: ContactRow, s: AutoSend): Promise<void> {
  if (!d.sender.stage || !STAGEABLE_KINDS.has(s.content.kind)) return enqueueSend(d, c, s);
  let staged;
  try {
    staged = await d.sender.stage(c, requestOf(s), contact);
  } catch (err) {
    return dropIfFinal(d, s, err);
  }
  if (!staged) return;
  if (s.conversationId) await markSent(d, c, s, staged.row.id);
  const { dispatch } = staged;
  afterCommit(c, () =>
    d.ctx.jobs.detach(SEND_QUEUE, SEND_CONCURRENCY, async () => {
      try {
        await dispatch();
      } catch (err) {
        dropIfFinal(d, s, err); // not final: logged by detach; the row waits for recovery.ts
      }
    }),
  );
}

/** The conversation's last outbound time, and the consent prompt it is waiting on (the evidence). */
async function markSent(d: ConversationDeps, q: Queryable, s: AutoSend, messageId: number): Promise<void> {
  const now = d.ctx.clock.now();
  if (s.purpose === 'consent_prompt') {
    await q.query(
      `UPDATE conversations SET bot_prompt_message_id = $2, last_outbound_at = $3, updated_at = $3 WHERE id = $1 AND status = 'bot'`,
      [s.conversationId, messageId, now],
    );
  } else {
    await q.query(`UPDATE conversations SET last_outbound_at = $2, updated_at = $2 WHERE id = $1`, [s.conversationId, now]);
  }
}

/** Enqueues the send inside the caller's transaction: it happens only if the transaction commits. */
export async function enqueueSend(d: ConversationDeps, q: Queryable, s: AutoSend): Promise<void> {
  await d.ctx.jobs.send(SEND_QUEUE, s, { client: q, singletonKey: s.clientKey, fairKey: `portal:${s.portalId}` });
}

export async function defineSendJob(d: ConversationDeps): Promise<void> {
  await d.ctx.jobs.define<AutoSend>({
    name: SEND_QUEUE,
    retryLimit: 6,
    retryDelaySeconds: 2,
    concurrency: SEND_CONCURRENCY,
    handler: async (s) => {
      let row;
      try {
        row = await d.sender.send(requestOf(s));
      } catch (err) {
        return dropIfFinal(d, s, err);
      }
      if (s.conversationId) await markSent(d, d.ctx.db.pool, s, row.id);
    },
  });
}

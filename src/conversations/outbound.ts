import type { Queryable } from '../db/database.js';
import { AppError } from '../errors.js';
import type { ConversationDeps } from './deps.js';
import type { OutboundContent } from '../whatsapp/types.js';

export const SEND_QUEUE = 'conversations.send';

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

/** Enqueues the send inside the caller's transaction: it happens only if the transaction commits. */
export async function enqueueSend(d: ConversationDeps, q: Queryable, s: AutoSend): Promise<void> {
  await d.ctx.jobs.send(SEND_QUEUE, s, { client: q, singletonKey: s.clientKey, fairKey: `portal:${s.portalId}` });
}

export async function defineSendJob(d: ConversationDeps): Promise<void> {
  await d.ctx.jobs.define<AutoSend>({
    name: SEND_QUEUE,
    retryLimit: 6,
    retryDelaySeconds: 2,
    // The per-number limiter paces the sends; a send is mostly waiting (its slot, PostgreSQL, Meta), so
    // 8 workers capped one instance at ~30 sends/s (bench:pipeline, 265 ms a send); beyond 16 the
    // bottleneck is CPU (the webhook and inbound hops), not send slots (docs/scaling.md).
    concurrency: 16,
    handler: async (s) => {
      let row;
      try {
        row = await d.sender.send({
          portalId: s.portalId,
          contactId: s.contactId,
          phoneNumberId: s.phoneNumberId,
          conversationId: s.conversationId,
          sender: s.sender,
          clientKey: s.clientKey,
          content: s.content,
        });
      } catch (err) {
        if (err instanceof AppError && (FINAL_CODES.has(err.code) || (err.status < 500 && err.status !== 429))) {
          d.ctx.logger.warn({ code: err.code, clientKey: s.clientKey, conversationId: s.conversationId }, 'automatic message not sent');
          return;
        }
        throw err;
      }
      if (s.conversationId) {
        const now = d.ctx.clock.now();
        if (s.purpose === 'consent_prompt') {
          await d.ctx.db.query(
            `UPDATE conversations SET bot_prompt_message_id = $2, last_outbound_at = $3, updated_at = $3 WHERE id = $1 AND status = 'bot'`,
            [s.conversationId, row.id, now],
          );
        } else {
          await d.ctx.db.query(`UPDATE conversations SET last_outbound_at = $2, updated_at = $2 WHERE id = $1`, [s.conversationId, now]);
        }
      }
    },
  });
}

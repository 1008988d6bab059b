import type { PoolClient } from 'pg';
import type { AppContext } from '../app-context.js';
import { getContact, type ContactRow } from '../contacts/contacts-repo.js';
import type { Queryable } from '../db/database.js';
import { AppError, notFound, validation, zodDetails } from '../errors.js';
import { attachmentUsage, chargeAttachment, formatBytes } from '../media/index.js';
import { MetaApiError, type GraphClient } from './graph.js';
import { OutboundBuilder, type Built } from './outbound-build.js';
import { LATE_WAKE_MS, lateBy } from '../limits/index.js';
import type { SendLimiter } from './limiter.js';
import { appErrorFor, errorMessageFor, isRetryable, reasonFor, type MetaErrorReason } from './meta-errors.js';
import { flagNeedsToken, portalNumber, portalNumberAndStatus, type NumberRow } from './numbers.js';
import { advanceStatus, recordWamid, storeWamidIfNothingWaits } from './status.js';
import { checkConsent } from './consent-policy.js';
import { assertAutoReplyBudget, portalUninstalled, uninstalledError } from './send-policy.js';
import { STAGEABLE_KINDS, type SendOptions, type StagedSend } from '../seams.js';
import { OutboundRequestSchema, type MessageRow, type OutboundRequest } from './types.js';

export const SEND_RETRY_QUEUE = 'whatsapp.send-retry';
/** Deferred attempts after the first call before a message fails as rate limited / unavailable. */
export const MAX_SEND_ATTEMPTS = 6;

export interface SenderDeps {
  ctx: AppContext;
  graph: GraphClient;
  limiter: SendLimiter;
  /** Waits between in-request retries of a throughput (130429) or transient error. */
  inlineRetryDelaysMs: number[];
  /** Re-reads a WABA's templates (used when a template is not known locally yet). */
  syncTemplates: (wabaId: string) => Promise<unknown>;
}

/** Delay before deferred attempt `attempt` (1-based): 131056 never sooner than 6 s to the same customer, then 4^n s. */
export function retryDelaySeconds(code: number | undefined, attempt: number): number {
  if (code === 131056) return Math.max(6, 4 ** attempt);
  return Math.min(300, 2 ** attempt * 2);
}

function errorJson(e: MetaApiError, reason: MetaErrorReason) {
  return {
    code: e.code ?? (e.network ? 'NETWORK' : 'UNKNOWN'),
    title: e.message,
    message: e.details ?? e.message,
    details: e.details ?? null,
    reason,
    fbtraceId: e.fbtraceId ?? null,
  };
}

/** Stored and known not handed to Meta for its current attempt (no wamid, dispatch pending). */
function awaitingDispatch(m: MessageRow): boolean {
  return m.direction === 'out' && m.status === 'accepted' && !m.wamid && Boolean(m.dispatch_pending);
}

/** Awaiting its very first call (no deferred retry waiting for it). */
function neverDispatched(m: MessageRow): boolean {
  return awaitingDispatch(m) && !m.dispatched_at && Number(m.payload.attempts ?? 0) === 0;
}

function parseRequest(input: OutboundRequest): OutboundRequest {
  const parsed = OutboundRequestSchema.safeParse(input);
  if (parsed.success) return parsed.data as OutboundRequest;
  const details = zodDetails(parsed.error);
  const [field, msg] = Object.entries(details)[0] ?? ['_', 'invalid'];
  throw validation(`${field}: ${msg}`, details);
}

/** The portal's number, if the portal still sends (not uninstalled) and the number's token works; one round trip. */
async function usableNumber(q: Queryable, portalId: number, phoneNumberId: string): Promise<NumberRow> {
  const { number, uninstalled } = await portalNumberAndStatus(q, portalId, phoneNumberId);
  if (uninstalled) throw uninstalledError();
  if (!number) throw notFound(`WhatsApp number ${phoneNumberId} is not connected to this portal`);
  if (number.token_status === 'needs_token') throw appErrorFor('NUMBER_TOKEN_INVALID');
  return number;
}

/** The outbound row, `dispatch_pending` until the call's claim; undefined when the client key exists already. */
async function insertOutbound(c: Queryable, req: OutboundRequest, built: Built, now: Date): Promise<MessageRow | undefined> {
  const r = await c.query<MessageRow>(
    `INSERT INTO messages (portal_id, contact_id, conversation_id, phone_number_id, client_key, direction, type, text, payload,
                           status, sender, agent_id, template_name, sent_at, status_at, dispatch_pending)
     VALUES ($1, $2, $3, $4, $5, 'out', $6, $7, $8::jsonb, 'accepted', $9, $10, $11, $12, $12, true)
     ON CONFLICT (portal_id, client_key) WHERE client_key IS NOT NULL DO NOTHING
     RETURNING *`,
    [
      req.portalId, req.contactId, req.conversationId ?? null, req.phoneNumberId, req.clientKey ?? null, built.type, built.text,
      JSON.stringify({ content: req.content, request: built.body, attempts: 0 }), req.sender, req.agentId ?? null, built.templateName, now,
    ],
  );
  return r.rows[0];
}

/**
 * Sends a message at most once at Meta. The row is stored (with `dispatch_pending`) before Meta is
 * called; right before each call the sender flips `dispatch_pending` off with a compare-and-set, so
 * only one process ever calls Meta for an attempt. A call Meta answered with an error may be
 * retried; a call whose answer never came (timeout, reset, the process died) is never repeated:
 * a status webhook reconciles it, or recovery.ts fails it as SEND_UNCONFIRMED (docs/whatsapp.md).
 */
export class Sender {
  private readonly builder: OutboundBuilder;

  constructor(private readonly d: SenderDeps) {
    this.builder = new OutboundBuilder({ ctx: d.ctx, graph: d.graph, token: (n) => this.token(n), syncTemplates: d.syncTemplates });
  }

  private get ctx(): AppContext {
    return this.d.ctx;
  }

  token(n: NumberRow): string {
    return this.ctx.secrets.decrypt(n.access_token_enc);
  }

  rateOf(n: NumberRow): number {
    return n.throughput_per_second ?? this.ctx.config.whatsapp.throughputPerSecond;
  }

  async send(input: OutboundRequest, opts?: SendOptions): Promise<MessageRow> {
    const req = parseRequest(input);
    const db = this.ctx.db;
    const { number, contact } = await this.gate(db.pool, req);
    if (req.clientKey) {
      const existing = await this.byClientKey(db.pool, req.portalId, req.clientKey);
      // The caller retrying with its key after its process died between storing and calling Meta
      // (a job back from a lost lease) resumes the send now; the claim still sends it once.
      if (existing) return neverDispatched(existing) ? this.attempt(existing, number, 0) : existing;
    }
    await assertAutoReplyBudget(db.pool, req, this.ctx.clock.now());
    const built = await this.builder.build(req.content, number, contact);
    const inserted = await this.store(req, built, opts);
    if (!inserted) return (await this.byClientKey(db.pool, req.portalId, req.clientKey!))!;
    return this.attempt(inserted, number, 0);
  }

  /**
   * MessageSender.stage: the gate and the stored row inside the caller's transaction, Meta's call
   * after it commits (no job in between). A process that dies before the call leaves the row
   * `dispatch_pending`: recovery.ts resumes it.
   */
  async stage(c: PoolClient, input: OutboundRequest, known: ContactRow): Promise<StagedSend | undefined> {
    const req = parseRequest(input);
    if (!STAGEABLE_KINDS.has(req.content.kind)) throw new Error(`stage: ${req.content.kind} content builds with I/O; send it through a job`);
    const { number, contact } = await this.gate(c, req, known);
    const now = this.ctx.clock.now();
    await assertAutoReplyBudget(c, req, now);
    const built = await this.builder.build(req.content, number, contact);
    let row = await insertOutbound(c, req, built, now);
    if (!row && req.clientKey) {
      const existing = await this.byClientKey(c, req.portalId, req.clientKey);
      row = existing && neverDispatched(existing) ? existing : undefined;
    }
    const stored = row;
    return stored && { row: stored, dispatch: () => this.attempt(stored, number, 0) };
  }

  /** The policy gate (send-policy.ts, consent-policy.ts): every sender — card, bot, reminders, campaigns — passes here. */
  private async gate(q: Queryable, req: OutboundRequest, known?: ContactRow): Promise<{ number: NumberRow; contact: ContactRow }> {
    const number = await usableNumber(q, req.portalId, req.phoneNumberId);
    const contact = known ?? (await getContact(q, req.portalId, req.contactId));
    if (!contact) throw notFound(`Contact ${req.contactId} not found`);
    if (!contact.phone_e164 && !contact.bsuid) throw validation('The contact has no WhatsApp identity', { contactId: 'no phone or user id' });
    checkConsent(contact, req);
    return { number, contact };
  }

  /** The message row (and the caller's `onStored` change) in one transaction; undefined when a concurrent send with the same key won. */
  private async store(req: OutboundRequest, built: Built, opts: SendOptions | undefined): Promise<MessageRow | undefined> {
    const now = this.ctx.clock.now();

    return this.ctx.db.tx(async (c) => {
      const row = await insertOutbound(c, req, built, now);
      if (!row) return undefined; // a concurrent send with the same client key won
      if (req.content.kind === 'media' && req.content.mediaId) {
        await c.query(
          `UPDATE media_objects SET message_id = $1, updated_at = now()
           WHERE id = (SELECT id FROM media_objects WHERE direction = 'out' AND meta_media_id = $2 AND phone_number_id = $3 AND message_id IS NULL ORDER BY id DESC LIMIT 1)`,
          [row.id, req.content.mediaId, req.phoneNumberId],
        );
      }
      if (built.attachmentBytes > 0) {
        const quota = this.ctx.config.attachmentQuotaBytes;
        const total = await chargeAttachment(c, { portalId: req.portalId, contactId: req.contactId, bytes: built.attachmentBytes, quotaBytes: quota, at: now });
        if (total === null) throw await this.quotaError(c, req.portalId, req.contactId, built.attachmentBytes, now);
      }
      await opts?.onStored?.(c, row);
      return row;
    });
  }

  private async quotaError(c: PoolClient, portalId: number, contactId: number, bytes: number, at: Date): Promise<AppError> {
    const used = await attachmentUsage(c, portalId, contactId, at);
    const quota = this.ctx.config.attachmentQuotaBytes;
    return new AppError(
      409,
      'ATTACHMENT_QUOTA',
      `This contact's monthly attachment quota is ${formatBytes(quota)}; ${formatBytes(used)} are used this month and this file (${formatBytes(bytes)}) does not fit. It resets on the 1st.`,
      { quotaBytes: quota, usedBytes: used, fileBytes: bytes },
    );
  }

  private async byClientKey(q: Pick<PoolClient, 'query'>, portalId: number, key: string): Promise<MessageRow | undefined> {
    const r = await q.query<MessageRow>(`SELECT * FROM messages WHERE portal_id = $1 AND client_key = $2`, [portalId, key]);
    return r.rows[0];
  }

  /**
   * Calls Meta for a stored message (first call, deferred retry or a resumed send) and records the
   * outcome. Only the caller that claims the attempt calls Meta; another gets the row as it is.
   */
  async attempt(msg: MessageRow, number: NumberRow, attempt: number): Promise<MessageRow> {
    const body = { ...(msg.payload.request as Record<string, unknown>), biz_opaque_callback_data: `m:${msg.id}` };
    const token = this.token(number);
    let lastErr: MetaApiError | undefined;
    const delays = attempt === 0 ? this.d.inlineRetryDelaysMs : [];
    for (let i = 0; i <= delays.length; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, delays[i - 1]));
      const lane = msg.sender === 'campaign' ? 'bulk' : 'reply';
      const slot = await this.d.limiter.acquire(number.phone_number_id, this.rateOf(number), lane);
      // The wait for a send slot can be long (a campaign at the number's rate): an uninstall meanwhile
      // stops it here. Inline retries follow an error Meta answered (it did not take the message), so
      // the first call's claim covers them.
      const go = i === 0 ? await this.claim(msg) : (await portalUninstalled(this.ctx.db.pool, msg.portal_id)) ? 'uninstalled' : 'claimed';
      if (go === 'uninstalled') return this.refuse(msg, attempt, uninstalledError());
      if (go === 'taken') return this.current(msg);
      // A slow claim made the send late for its slot: take a fresh one rather than reach Meta bunched
      // with the sends after it (Meta counts any 1,000 ms).
      if (slot && lateBy(slot) > LATE_WAKE_MS) await this.d.limiter.acquire(number.phone_number_id, this.rateOf(number), lane);
      try {
        const res = await this.d.graph.sendMessage(number.phone_number_id, token, body);
        return await this.accepted(msg, res.wamid, attempt === 0);
      } catch (err) {
        if (!(err instanceof MetaApiError)) throw err;
        if (err.unanswered) return this.unconfirmed(msg, attempt, err);
        lastErr = err;
        if (err.code === 130429) await this.d.limiter.slowDown?.(number.phone_number_id, 1000);
        // 131056 (same customer too often) is never retried inline: the next try waits at least 6 s.
        if (!isRetryable(err) || err.code === 131056) break;
      }
    }
    const e = lastErr!;
    this.ctx.logger.warn({ messageId: msg.id, phoneNumberId: number.phone_number_id, attempt, meta: e.toJSON() }, 'whatsapp send failed');
    if (isRetryable(e) && attempt + 1 < MAX_SEND_ATTEMPTS) return this.defer(msg, attempt, e);
    return this.failed(msg, number, attempt, e);
  }

  /**
   * Compare-and-set right before calling Meta: 'claimed' for exactly one caller per attempt, 'taken'
   * for the others. In the same statement (one round trip between the send slot and the call, so
   * sends leave when their slot says): the portal's uninstall, which claims nothing.
   */
  private async claim(msg: MessageRow): Promise<'claimed' | 'taken' | 'uninstalled'> {
    const r = await this.ctx.db.query<{ uninstalled: boolean; claimed: boolean }>(
      `WITH p AS (SELECT COALESCE((SELECT status = 'uninstalled' FROM portals WHERE id = $2), false) AS gone),
            c AS (UPDATE messages SET dispatch_pending = false, dispatched_at = $3
                   WHERE id = $1 AND dispatch_pending AND status = 'accepted' AND wamid IS NULL AND NOT (SELECT gone FROM p)
                   RETURNING id)
       SELECT (SELECT gone FROM p) AS uninstalled, EXISTS (SELECT 1 FROM c) AS claimed`,
      [msg.id, msg.portal_id, this.ctx.clock.now()],
    );
    const row = r.rows[0]!;
    return row.uninstalled ? 'uninstalled' : row.claimed ? 'claimed' : 'taken';
  }

  private async current(msg: MessageRow): Promise<MessageRow> {
    return (await this.ctx.db.query<MessageRow>(`SELECT * FROM messages WHERE id = $1`, [msg.id])).rows[0] ?? msg;
  }

  /** Meta answered with a retryable error: it did not take the message, so the next attempt may call again. */
  private async defer(msg: MessageRow, attempt: number, e: MetaApiError): Promise<MessageRow> {
    const delay = retryDelaySeconds(e.code, attempt + 1);
    return this.ctx.db.tx(async (c) => {
      const r = await c.query<MessageRow>(
        `UPDATE messages SET payload = jsonb_set(payload, '{attempts}', to_jsonb($2::int)), dispatch_pending = true WHERE id = $1 RETURNING *`,
        [msg.id, attempt + 1],
      );
      await this.ctx.jobs.send(SEND_RETRY_QUEUE, { messageId: msg.id, attempt: attempt + 1 }, { client: c, startAfterSeconds: delay, singletonKey: `m:${msg.id}:${attempt + 1}` });
      if (attempt === 0) await this.ctx.events.emit('message.outbound', { messageId: msg.id, portalId: msg.portal_id }, { client: c });
      return r.rows[0]!;
    });
  }

  /**
   * No answer from Meta (timeout, connection reset): it may have the message. It is not sent again;
   * it stays `accepted` until a status webhook names it (callback data m:<id>) or recovery.ts fails it.
   */
  private async unconfirmed(msg: MessageRow, attempt: number, e: MetaApiError): Promise<MessageRow> {
    this.ctx.logger.warn({ messageId: msg.id, attempt, meta: e.toJSON() }, 'whatsapp send got no answer; not resent, waiting for a status webhook');
    return this.current(msg);
  }

  private async failed(msg: MessageRow, number: NumberRow, attempt: number, e: MetaApiError): Promise<never> {
    const reason = reasonFor(e.code ?? (e.network ? 'NETWORK' : undefined));
    const finalReason: MetaErrorReason = isRetryable(e) ? (e.code === 130429 || e.code === 131056 ? 'RATE_LIMITED' : 'WHATSAPP_UNAVAILABLE') : reason;
    if (finalReason === 'NUMBER_TOKEN_INVALID') {
      await flagNeedsToken(this.ctx.db.pool, number.phone_number_id, e.message);
      this.ctx.logger.error({ phoneNumberId: number.phone_number_id, portalId: number.portal_id }, 'whatsapp number token rejected by Meta; flagged as needing a new token');
    }
    await this.recordFailure(msg, attempt, errorJson(e, finalReason));
    throw appErrorFor(finalReason, { code: e.code, details: e.details, fbtraceId: e.fbtraceId });
  }

  /** The message fails without reaching Meta (the policy said no while it waited for its slot). */
  private async refuse(msg: MessageRow, attempt: number, err: AppError): Promise<never> {
    await this.recordFailure(msg, attempt, { code: err.code, title: err.message, message: err.message, reason: err.code });
    throw err;
  }

  private async recordFailure(msg: MessageRow, attempt: number, error: Record<string, unknown>): Promise<void> {
    await this.ctx.db.tx(async (c) => {
      if (attempt === 0) {
        await c.query(`UPDATE messages SET status = 'failed', status_at = $3, error = $2::jsonb WHERE id = $1 AND status = 'accepted'`, [
          msg.id,
          JSON.stringify(error),
          this.ctx.clock.now(),
        ]);
        await this.ctx.events.emit('message.outbound', { messageId: msg.id, portalId: msg.portal_id }, { client: c });
      } else {
        // Nobody is waiting on a deferred retry: report the failure like a failed status.
        await advanceStatus(c, this.ctx.events, { messageId: msg.id, status: 'failed', at: this.ctx.clock.now(), error });
      }
    });
  }

  private async accepted(msg: MessageRow, wamid: string, first: boolean): Promise<MessageRow> {
    // Most answers cost one statement and no transaction: no status came before the answer, and
    // announcing the send enqueues no job (it wakes the timeline once the row is written).
    const announce = { messageId: msg.id, portalId: msg.portal_id };
    if (!first || !this.ctx.events.enqueuesJobs('message.outbound', announce)) {
      const stored = await storeWamidIfNothingWaits<MessageRow>(this.ctx.db.pool, { messageId: msg.id, wamid });
      if (stored) {
        if (first) await this.ctx.events.emit('message.outbound', announce);
        return stored;
      }
    }
    const { row, moved } = await this.ctx.db.tx(async (c) => {
      const stored = await recordWamid<MessageRow>(c, this.ctx.events, { messageId: msg.id, wamid });
      if (first) await this.ctx.events.emit('message.outbound', announce, { client: c });
      return stored;
    });
    // A status that came before Meta's answer moved the row on: read it again.
    return moved ? this.current(row) : row;
  }

  /**
   * The `whatsapp.send-retry` job: a deferred attempt after a rate limit or a transient Meta error,
   * or a send resumed by recovery.ts (stored, never dispatched). A stale job (of an earlier attempt,
   * or of one already handed to Meta) does nothing.
   */
  async retry(messageId: number, attempt: number): Promise<void> {
    const r = await this.ctx.db.query<MessageRow>(`SELECT * FROM messages WHERE id = $1`, [messageId]);
    const msg = r.rows[0];
    if (!msg || !awaitingDispatch(msg)) return;
    if (attempt < Number(msg.payload.attempts ?? 0)) return; // a job of an earlier attempt
    const number = await portalNumber(this.ctx.db.pool, msg.portal_id, msg.phone_number_id);
    if (!number || number.token_status === 'needs_token') {
      await this.ctx.db.tx(async (c) => {
        const reason: MetaErrorReason = 'NUMBER_TOKEN_INVALID';
        await advanceStatus(c, this.ctx.events, {
          messageId,
          status: 'failed',
          at: this.ctx.clock.now(),
          error: { code: 190, title: 'Number not usable', message: errorMessageFor(reason), reason },
        });
      });
      return;
    }
    try {
      await this.attempt(msg, number, attempt);
    } catch (err) {
      if (err instanceof AppError) return; // recorded on the message and reported by message.status
      throw err;
    }
  }

  async markRead(portalId: number, phoneNumberId: string, wamid: string): Promise<void> {
    const number = await usableNumber(this.ctx.db.pool, portalId, phoneNumberId);
    try {
      await this.d.graph.markRead(phoneNumberId, this.token(number), wamid);
    } catch (err) {
      if (!(err instanceof MetaApiError)) throw err;
      const reason = reasonFor(err.code);
      if (reason === 'NUMBER_TOKEN_INVALID') await flagNeedsToken(this.ctx.db.pool, phoneNumberId, err.message);
      throw appErrorFor(reason, { code: err.code, details: err.details, fbtraceId: err.fbtraceId });
    }
  }
}

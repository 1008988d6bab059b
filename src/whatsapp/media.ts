import { createHash } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import { AppError, notFound, validation } from '../errors.js';
import {
  attachmentUsage,
  checkOutboundMedia,
  formatBytes,
  getMediaObject,
  mediaOfMessage,
  type MediaKind,
  type MediaStorage,
  type MediaUrlSigner,
} from '../media/index.js';
import { MetaApiError, type GraphClient } from './graph.js';
import { appErrorFor, reasonFor } from './meta-errors.js';
import { flagNeedsToken, numberByPhoneNumberId, portalNumber } from './numbers.js';

export interface MediaDeps {
  ctx: AppContext;
  graph: GraphClient;
  storage: MediaStorage;
  signer: MediaUrlSigner;
}

/** Attempts of the download job before the attachment is marked failed (the job's retryLimit + 1). */
export const MEDIA_DOWNLOAD_ATTEMPTS = 6;

/**
 * The `whatsapp.media-download` job: fetches an inbound attachment right away (Meta's URL lives
 * 5 minutes, so a fresh one is asked for on every attempt), checks its sha256 and stores it. The
 * message row is already stored; only this job retries.
 */
export async function downloadInboundMedia(d: MediaDeps, mediaObjectId: number, retryCount: number): Promise<void> {
  const { ctx } = d;
  const mo = await getMediaObject(ctx.db.pool, mediaObjectId);
  if (!mo || mo.state !== 'pending' || !mo.meta_media_id) return;
  const fail = async (error: string) => {
    await ctx.db.query(`UPDATE media_objects SET state = 'failed', error = $2, updated_at = now() WHERE id = $1`, [mediaObjectId, error.slice(0, 500)]);
    ctx.logger.warn({ mediaObjectId, messageId: mo.message_id, error }, 'inbound media could not be downloaded');
  };
  const number = await numberByPhoneNumberId(ctx.db.pool, mo.phone_number_id);
  if (!number) return fail('number no longer connected');
  const lastAttempt = retryCount + 1 >= MEDIA_DOWNLOAD_ATTEMPTS;
  try {
    const token = ctx.secrets.decrypt(number.access_token_enc);
    const info = await d.graph.getMediaInfo(mo.meta_media_id, token, mo.phone_number_id);
    const { bytes } = await d.graph.downloadMedia(info.url, token);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const expected = mo.sha256 ?? info.sha256?.toLowerCase();
    if (expected && expected !== sha) throw new Error(`sha256 mismatch (expected ${expected}, got ${sha})`);
    const stored = await d.storage.put({ portalId: mo.portal_id, bytes, mimeType: info.mime_type ?? mo.mime_type ?? undefined, filename: mo.filename });
    await ctx.db.query(
      `UPDATE media_objects SET state = 'stored', storage_key = $2, size_bytes = $3, sha256 = $4,
              mime_type = COALESCE(mime_type, $5), error = NULL, updated_at = now()
       WHERE id = $1 AND state = 'pending'`,
      [mediaObjectId, stored.key, stored.size, stored.sha256, info.mime_type ?? null],
    );
  } catch (err) {
    if (err instanceof MetaApiError) {
      if (reasonFor(err.code) === 'NUMBER_TOKEN_INVALID') await flagNeedsToken(ctx.db.pool, number.phone_number_id, err.message);
      // 100/33: the media id is unknown or expired (7 days for inbound media): retrying cannot help.
      if (err.code === 100 || lastAttempt) return fail(`${err.code ?? 'network'}: ${err.details ?? err.message}`);
    } else if (lastAttempt) {
      return fail((err as Error).message);
    }
    throw err;
  }
}

export interface UploadedMedia {
  mediaId: string;
  mediaObjectId: number;
  kind: MediaKind;
  mimeType: string;
  sizeBytes: number;
}

/**
 * An outbound attachment: checked against Meta's type and size limits (type from the bytes) and
 * against the contact's remaining monthly quota, kept in our storage, uploaded to Meta. Send it
 * with `{kind: 'media', mediaType: kind, mediaId}`; the quota is charged when it is sent.
 */
export async function uploadOutboundMedia(
  d: MediaDeps,
  p: { portalId: number; contactId: number; phoneNumberId: string; bytes: Buffer; mimeType: string; filename: string; kind?: MediaKind },
): Promise<UploadedMedia> {
  const { ctx } = d;
  const number = await portalNumber(ctx.db.pool, p.portalId, p.phoneNumberId);
  if (!number) throw notFound(`WhatsApp number ${p.phoneNumberId} is not connected to this portal`);
  if (number.token_status === 'needs_token') throw appErrorFor('NUMBER_TOKEN_INVALID');
  const check = checkOutboundMedia({ bytes: p.bytes, size: p.bytes.length, mimeType: p.mimeType, kind: p.kind });
  if (!check.ok) throw validation(`The attachment cannot be sent on WhatsApp: ${check.problem}`, { file: check.problem });
  const quota = ctx.config.attachmentQuotaBytes;
  const used = await attachmentUsage(ctx.db.pool, p.portalId, p.contactId, ctx.clock.now());
  if (used + p.bytes.length > quota) {
    throw new AppError(
      409,
      'ATTACHMENT_QUOTA',
      `This contact's monthly attachment quota is ${formatBytes(quota)}; ${formatBytes(used)} are used this month and this file (${formatBytes(p.bytes.length)}) does not fit. It resets on the 1st.`,
      { quotaBytes: quota, usedBytes: used, fileBytes: p.bytes.length },
    );
  }
  const stored = await d.storage.put({ portalId: p.portalId, bytes: p.bytes, mimeType: check.mimeType, filename: p.filename });
  let mediaId: string;
  try {
    mediaId = await d.graph.uploadMedia(number.phone_number_id, ctx.secrets.decrypt(number.access_token_enc), {
      bytes: p.bytes,
      mimeType: check.mimeType!,
      filename: p.filename,
    });
  } catch (err) {
    await d.storage.delete(stored.key).catch(() => undefined);
    if (!(err instanceof MetaApiError)) throw err;
    const reason = reasonFor(err.code);
    if (reason === 'NUMBER_TOKEN_INVALID') await flagNeedsToken(ctx.db.pool, number.phone_number_id, err.message);
    throw appErrorFor(reason === 'VALIDATION' ? 'MEDIA_ERROR' : reason, { code: err.code, details: err.details, fbtraceId: err.fbtraceId });
  }
  const r = await ctx.db.query<{ id: number }>(
    `INSERT INTO media_objects (portal_id, contact_id, direction, phone_number_id, meta_media_id, mime_type, size_bytes, sha256, filename, storage_key, state)
     VALUES ($1, $2, 'out', $3, $4, $5, $6, $7, $8, $9, 'stored') RETURNING id`,
    [p.portalId, p.contactId, number.phone_number_id, mediaId, check.mimeType, stored.size, stored.sha256, p.filename, stored.key],
  );
  return { mediaId, mediaObjectId: r.rows[0]!.id, kind: check.kind!, mimeType: check.mimeType!, sizeBytes: stored.size };
}

/** What the card shows for a message's attachment: a short-lived signed URL to our `GET /media/:id`. */
export async function mediaForMessage(
  d: MediaDeps,
  messageId: number,
): Promise<{ url: string; mimeType: string; filename: string | null; state: 'pending' | 'stored' | 'failed' } | null> {
  const mo = await mediaOfMessage(d.ctx.db.pool, messageId);
  if (!mo) return null;
  return {
    url: d.signer.url(d.ctx.config.publicBaseUrl, mo.id, d.ctx.clock.now().getTime()),
    mimeType: mo.mime_type ?? 'application/octet-stream',
    filename: mo.filename,
    state: mo.state,
  };
}

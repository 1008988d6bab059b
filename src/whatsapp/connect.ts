import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { AppError, validation, zodDetails } from '../errors.js';
import { MetaApiError, type GraphClient } from './graph.js';
import { TEMPLATE_SYNC_QUEUE } from './ingest.js';
import { numberByPhoneNumberId, type NumberRow } from './numbers.js';
import { portalUninstalled } from './send-policy.js';

export const ConnectNumberSchema = z.object({
  phoneNumberId: z.string().trim().regex(/^\d{1,30}$/, "must be Meta's numeric phone number id"),
  wabaId: z.string().trim().regex(/^\d{1,30}$/, "must be Meta's numeric WhatsApp Business Account id"),
  accessToken: z.string().trim().min(20, 'must be a Meta access token').max(4096),
  label: z.string().trim().min(1, 'is required').max(60, 'must be at most 60 characters'),
});

/**
 * Connects (or reconnects) a number: the token is checked against the Graph API first (it must
 * see the number, and the number must belong to the WABA) — before telling whether another
 * account has the number — then stored encrypted; the app is
 * subscribed to the WABA's webhooks and a template sync is queued. The token is never returned.
 * A number stays with the portal that connected it, unless that portal uninstalled the app: then
 * the first portal that proves a valid token for it takes it over (the old portal's history stays
 * with the old portal until its data is purged; new messages go to the new one).
 */
export async function connectNumber(ctx: AppContext, graph: GraphClient, portalId: number, body: unknown): Promise<{ created: boolean; number: NumberRow }> {
  const parsed = ConnectNumberSchema.safeParse(body);
  if (!parsed.success) {
    const details = zodDetails(parsed.error);
    const [field, msg] = Object.entries(details)[0] ?? ['_', 'invalid'];
    throw validation(`${field}: ${msg}`, details);
  }
  const p = parsed.data;
  let info;
  try {
    info = await graph.getPhoneNumber(p.phoneNumberId, p.accessToken);
  } catch (err) {
    if (!(err instanceof MetaApiError)) throw err;
    ctx.logger.info({ portalId, phoneNumberId: p.phoneNumberId, meta: err.toJSON() }, 'number connection refused by Meta');
    if (err.network) throw new AppError(503, 'WHATSAPP_UNAVAILABLE', 'Meta could not be reached to check the token; try again in a moment');
    if (err.code === 190 || err.httpStatus === 401) {
      throw validation(`Meta rejected this token: ${err.message}`, { accessToken: `Meta rejected this token: ${err.message}` });
    }
    throw validation('Meta does not show this phone number id to this token', { phoneNumberId: `not found with this token (${err.message})` });
  }
  try {
    const ids = await graph.listWabaPhoneNumberIds(p.wabaId, p.accessToken);
    if (!ids.includes(p.phoneNumberId)) throw validation('The phone number is not in this WhatsApp Business Account', { phoneNumberId: 'not in this WABA' });
  } catch (err) {
    if (!(err instanceof MetaApiError)) throw err;
    throw validation('Meta does not show this WhatsApp Business Account to this token', { wabaId: `not accessible with this token (${err.message})` });
  }
  // Only now, with a token Meta accepts for this number: whether another account has it is not for anyone to probe.
  const existing = await numberByPhoneNumberId(ctx.db.pool, p.phoneNumberId);
  // A number held by a portal that uninstalled the app is free for whoever proves a valid token for it.
  const takeover = existing !== undefined && existing.portal_id !== portalId && (await portalUninstalled(ctx.db.pool, existing.portal_id));
  if (existing && existing.portal_id !== portalId && !takeover) {
    throw validation('This WhatsApp number is already connected to another HubSpot account', {
      phoneNumberId: 'already connected to another HubSpot account',
    });
  }
  try {
    await graph.subscribeApp(p.wabaId, p.accessToken);
  } catch (err) {
    ctx.logger.warn({ portalId, wabaId: p.wabaId, meta: err instanceof MetaApiError ? err.toJSON() : String(err) }, 'subscribing the app to the WABA failed');
  }
  const enc = ctx.secrets.encrypt(p.accessToken);
  const number = await ctx.db.tx(async (c) => {
    const r = await c.query<NumberRow>(
      `INSERT INTO whatsapp_numbers (portal_id, phone_number_id, waba_id, display_phone_number, verified_name, label, access_token_enc,
                                     token_status, quality_rating)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'valid', $8)
       ON CONFLICT (phone_number_id) DO UPDATE SET
         portal_id = EXCLUDED.portal_id, waba_id = EXCLUDED.waba_id, display_phone_number = EXCLUDED.display_phone_number, verified_name = EXCLUDED.verified_name,
         label = EXCLUDED.label, access_token_enc = EXCLUDED.access_token_enc, token_status = 'valid', token_error = NULL,
         quality_rating = EXCLUDED.quality_rating, updated_at = now()
       WHERE whatsapp_numbers.portal_id = EXCLUDED.portal_id
          OR EXISTS (SELECT 1 FROM portals o WHERE o.id = whatsapp_numbers.portal_id AND o.status = 'uninstalled')
       RETURNING *`,
      [portalId, p.phoneNumberId, p.wabaId, info.display_phone_number ?? null, info.verified_name ?? null, p.label, enc, info.quality_rating ?? null],
    );
    const row = r.rows[0];
    if (!row) throw validation('This WhatsApp number is already connected to another HubSpot account', { phoneNumberId: 'already connected to another HubSpot account' });
    await ctx.jobs.send(TEMPLATE_SYNC_QUEUE, { wabaId: p.wabaId }, { client: c, singletonKey: p.wabaId });
    return row;
  });
  const fromPortal = takeover ? existing!.portal_id : undefined;
  ctx.logger.info({ portalId, phoneNumberId: p.phoneNumberId, wabaId: p.wabaId, reconnected: Boolean(existing) && !takeover, fromPortal }, 'whatsapp number connected');
  return { created: !existing || takeover, number };
}

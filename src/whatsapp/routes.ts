import type { Request, Response, Router } from 'express';
import type { AppContext } from '../app-context.js';
import { AppError, forbidden, notFound, validation } from '../errors.js';
import { callerOf, requireHubSpotSignature } from '../http/signed-request.js';
import { registerNumberSettingsRoute } from './number-settings.js';
import { getMediaObject, mediaResponseHeaders, type MediaUrlSigner } from '../media/index.js';
import type { AdminCheck } from '../seams.js';
import { listAllTemplates, listApprovedTemplates, templateJson } from '../templates/index.js';
import { connectNumber } from './connect.js';
import { MetaApiError } from './graph.js';
import { reasonFor } from './meta-errors.js';
import { numberJson, portalNumber, portalNumbers } from './numbers.js';
import type { WhatsAppService } from './service.js';

/** Numbers, templates and media links (docs/extension-api.md). */
export function registerApiRoutes(ctx: AppContext, router: Router, d: { channel: WhatsAppService; admins: AdminCheck; signer: MediaUrlSigner }): void {
  const signed = requireHubSpotSignature(ctx);
  const { channel } = d;

  router.get('/api/v1/whatsapp-numbers', signed, async (req: Request, res: Response) => {
    const { portalId } = callerOf(req);
    res.json({ numbers: (await portalNumbers(ctx.db.pool, portalId)).map(numberJson) });
  });

  router.post('/api/v1/whatsapp-numbers', signed, async (req: Request, res: Response) => {
    const { portalId, userId } = callerOf(req);
    if (!(await d.admins.isAdmin(portalId, userId))) throw forbidden('Only an admin of the app can connect WhatsApp numbers');
    const { created, number } = await connectNumber(ctx, channel.graph, portalId, req.body);
    res.status(created ? 201 : 200).json({ number: numberJson(number) });
  });

  registerNumberSettingsRoute(ctx, router, [signed], (p, u) => d.admins.isAdmin(p, u));

  const numberParam = async (req: Request) => {
    const { portalId } = callerOf(req);
    const phoneNumberId = req.query.phoneNumberId;
    if (typeof phoneNumberId !== 'string' || !phoneNumberId) throw validation('phoneNumberId: is required', { phoneNumberId: 'is required' });
    const n = await portalNumber(ctx.db.pool, portalId, phoneNumberId);
    if (!n) throw notFound(`WhatsApp number ${phoneNumberId} is not connected to this portal`);
    return n;
  };

  router.get('/api/v1/templates', signed, async (req: Request, res: Response) => {
    const n = await numberParam(req);
    // status=all (templates page): also pending, rejected with Meta's reason, paused (issue 15).
    const list = req.query.status === 'all' ? listAllTemplates : listApprovedTemplates;
    res.json({ templates: (await list(ctx.db.pool, n.waba_id)).map(templateJson) });
  });

  router.post('/api/v1/templates/sync', signed, async (req: Request, res: Response) => {
    const n = await numberParam(req);
    try {
      const result = await channel.syncTemplates(n.waba_id);
      res.json({ sync: result, templates: (await listApprovedTemplates(ctx.db.pool, n.waba_id)).map(templateJson) });
    } catch (err) {
      if (err instanceof MetaApiError) {
        const reason = reasonFor(err.code);
        throw new AppError(reason === 'NUMBER_TOKEN_INVALID' ? 409 : 502, reason, `Templates could not be read from Meta: ${err.message}`);
      }
      throw err;
    }
  });

  // Attachments behind short-lived signed URLs (the card's <img>/<a> cannot send our headers).
  router.get('/media/:id', async (req: Request, res: Response) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || !d.signer.verify(id, req.query.exp, req.query.sig, ctx.clock.now().getTime())) {
      throw new AppError(403, 'FORBIDDEN', 'This media link is invalid or has expired');
    }
    const mo = await getMediaObject(ctx.db.pool, id);
    const bytes = mo?.storage_key ? await channel.storage.get(mo.storage_key) : undefined;
    if (!mo || !bytes) throw notFound('Media not found');
    res.set(mediaResponseHeaders(mo)).end(bytes);
  });
}

import type { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { idempotent } from '../http/api-idempotency.js';
import { validation } from '../errors.js';
import { callerOf, requireHubSpotSignature } from '../http/signed-request.js';
import type { SettingsService } from '../settings/settings-service.js';
import { separatorFor } from './csv.js';
import { claimExport, createExport, writeCsv } from './export.js';
import { conversationReport, parseFilter } from './query.js';

export interface ReportRouteDeps {
  ctx: AppContext;
  settings: SettingsService;
}

const separatorBody = z.object({
  separator: z.enum([',', ';']).optional(),
  /** The HubSpot user's language (e.g. "es", "en-us"): picks the separator when none is given. */
  language: z.string().max(20).optional(),
});

/** GET /api/v1/reports/conversations, POST /api/v1/reports/exports and the unsigned download link. */
export function registerReportRoutes(router: Router, d: ReportRouteDeps): void {
  const { ctx } = d;
  const signed = requireHubSpotSignature(ctx);
  const timeZoneOf = async (portalId: number) => (await d.settings.get(portalId)).businessHours.timeZone;

  router.get('/api/v1/reports/conversations', signed, async (req, res) => {
    const { portalId } = callerOf(req);
    const filter = parseFilter(req.query);
    res.json(await conversationReport(ctx.db, portalId, filter, await timeZoneOf(portalId)));
  });

  router.post('/api/v1/reports/exports', signed, idempotent(ctx), async (req, res) => {
    const { portalId, userId } = callerOf(req);
    const filter = parseFilter(req.body);
    const extra = separatorBody.safeParse(req.body ?? {});
    if (!extra.success) throw validation('The export is not valid: separator must be "," or ";"', { separator: 'Use "," or ";"' });
    const settings = await d.settings.get(portalId);
    const separator = extra.data.separator ?? separatorFor(extra.data.language ?? settings.consent.language);
    const link = await createExport(ctx.db.pool, { portalId, userId, params: { ...filter, separator }, baseUrl: ctx.config.publicBaseUrl, now: ctx.clock.now() });
    res.status(201).json(link);
  });

  // The link itself is the credential (single use, short-lived): a spreadsheet or browser opens it
  // without HubSpot's signature.
  router.get('/reports/exports/:token/:file', async (req, res) => {
    const { portalId, params } = await claimExport(ctx.db.pool, String(req.params.token), ctx.clock.now());
    const rows = await writeCsv(ctx.db, res, portalId, params, await timeZoneOf(portalId));
    req.log?.info({ portalId, rows }, 'report exported');
  });
}

import type { Router } from 'express';
import type { AppContext } from '../app-context.js';
import { idempotent } from '../http/api-idempotency.js';
import { contentDisposition } from '../http/content-disposition.js';
import { callerOf, requireHubSpotSignature } from '../http/signed-request.js';
import type { AudienceService } from './audiences.js';
import type { CampaignService } from './service.js';

/** The campaign endpoints (docs/campaigns.md): the caller, a service call, the answer. */
export function registerCampaignRoutes(ctx: AppContext, router: Router, service: CampaignService, audiences: AudienceService): void {
  const signed = requireHubSpotSignature(ctx);
  const once = idempotent(ctx);
  const csv = (res: import('express').Response, name: string, body: string) => {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', contentDisposition('attachment', name, 'campaign.csv')); // the name holds query text
    res.send(body);
  };

  router.post('/api/v1/campaigns', signed, once, async (req, res) => {
    res.status(201).json(await service.create(callerOf(req), req.body));
  });
  router.get('/api/v1/campaigns', signed, async (req, res) => {
    res.json(await service.list(callerOf(req).portalId));
  });
  // A sample CSV for a template: ?phoneNumberId=&templateName=&language= (`format=json` returns it as text in JSON).
  router.get('/api/v1/campaigns/sample.csv', signed, async (req, res) => {
    const body = await service.sample(callerOf(req).portalId, req.query as Record<string, unknown>);
    if (req.query.format === 'json') res.json({ csv: body });
    else csv(res, `${String(req.query.templateName)}-sample.csv`, body);
  });
  // Audiences prepared before the campaign: a CSV (answers the upload page's link) or a HubSpot list (read by a job).
  router.post('/api/v1/campaigns/audiences', signed, once, async (req, res) => {
    const r = await audiences.create(callerOf(req), req.body);
    res.status(r.audience.status === 'loading' ? 202 : 201).json(r);
  });
  router.get('/api/v1/campaigns/audiences/:id', signed, async (req, res) => {
    res.json(await audiences.get(callerOf(req).portalId, String(req.params.id)));
  });
  // The portal's HubSpot contact lists, for the page's list picker: ?q= part of the name.
  router.get('/api/v1/hubspot-lists', signed, async (req, res) => {
    res.json(await audiences.searchLists(callerOf(req).portalId, req.query.q));
  });
  router.get('/api/v1/campaigns/:id', signed, async (req, res) => {
    res.json(await service.get(callerOf(req).portalId, String(req.params.id)));
  });
  router.get('/api/v1/campaigns/:id/recipients', signed, async (req, res) => {
    res.json(await service.recipients(callerOf(req).portalId, String(req.params.id), req.query));
  });
  router.get('/api/v1/campaigns/:id/results.csv', signed, async (req, res) => {
    const body = await service.resultsCsv(callerOf(req).portalId, String(req.params.id));
    if (req.query.format === 'json') res.json({ csv: body });
    else csv(res, `campaign-${String(req.params.id)}-results.csv`, body);
  });
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    router.post(`/api/v1/campaigns/:id/${action}`, signed, once, async (req, res) => {
      res.json(await service[action](callerOf(req), String(req.params.id)));
    });
  }
}

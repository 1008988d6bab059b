import type { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { requireHubSpotSignature } from '../http/signed-request.js';
import { PRIVACY_QUEUE, type PrivacyDeletionJob } from './privacy.js';

const webhookEvent = z
  .object({
    subscriptionType: z.string(),
    portalId: z.coerce.number().int().positive(),
    objectId: z.union([z.number(), z.string()]).optional(),
    eventId: z.union([z.number(), z.string()]).optional(),
    occurredAt: z.number().optional(),
  })
  .passthrough();

/** `POST /webhooks/hubspot`: privacy deletions become durable jobs; other events are acknowledged. */
export function registerHubSpotWebhook(ctx: AppContext, router: Router): void {
  router.post('/webhooks/hubspot', requireHubSpotSignature(ctx, { bindCaller: false }), async (req, res) => {
    const raw = Array.isArray(req.body) ? req.body : [req.body];
    const events = z.array(webhookEvent).max(1000).parse(raw);
    let queued = 0;
    for (const e of events) {
      if (e.subscriptionType === 'contact.privacyDeletion' && e.objectId !== undefined) {
        await ctx.jobs.send(PRIVACY_QUEUE, {
          portalId: e.portalId,
          hubspotContactId: String(e.objectId),
          eventId: e.eventId === undefined ? undefined : String(e.eventId),
          occurredAt: e.occurredAt,
        } satisfies PrivacyDeletionJob);
        queued++;
      }
      // Phone changes are acknowledged: the link to the HubSpot contact stays authoritative.
    }
    res.status(200).json({ received: events.length, queued });
  });
}

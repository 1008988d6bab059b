import type { Router } from 'express';
import type { AppContext, Domain } from '../app-context.js';
import type { HubSpotService } from '../hubspot/index.js';
import { callerOf, requireHubSpotSignature } from '../http/signed-request.js';
import { claimThresholds, deliverNotices, type AdminNotifier } from './notices.js';
import { planOf } from './plan.js';
import { activeContacts, monthOf, timeZoneOf, usageOf } from './usage.js';

export { assertContactAllowed, assertSeatsAllowed } from './limits.js';
export { planOf, setPlan, clearPlan, type Plan } from './plan.js';
export { usageOf, type Usage } from './usage.js';
export { deliverNotices, type AdminNotifier } from './notices.js';

const USAGE_EVERY_MS = 10 * 60_000;

/**
 * The admin's HubSpot task, created with the HubSpot domain's client for the owner of the user who
 * installed the app. (The conversation task outbox is one task per conversation, so a portal-wide
 * notice goes straight to the tasks API; plan_notices is its outbox and retries.)
 */
export function hubspotNotifier(ctx: AppContext, hubspot: HubSpotService | undefined): AdminNotifier {
  return {
    async notifyAdmin(n) {
      if (!hubspot) throw new Error('the HubSpot domain is off: the notice stays pending');
      const installer = await ctx.db.query<{ installed_by_user_id: number | null }>('SELECT installed_by_user_id FROM portals WHERE id = $1', [n.portalId]);
      const userId = installer.rows[0]?.installed_by_user_id;
      const owners = await hubspot.listOwners(n.portalId);
      const owner = owners.find((o) => userId !== null && userId !== undefined && Number(o.userId) === Number(userId));
      const props: Record<string, string> = {
        hs_task_subject: n.subject,
        hs_task_body: n.body,
        hs_task_status: 'NOT_STARTED',
        hs_task_priority: 'HIGH',
        hs_task_type: 'TODO',
        hs_timestamp: ctx.clock.now().toISOString(),
      };
      if (owner) props.hubspot_owner_id = String(owner.id);
      await hubspot.core.client(n.portalId).createTask(props, []);
    },
  };
}

/** Usage of every portal with a contacts limit: thresholds reached are claimed, then delivered. */
export async function checkUsage(ctx: AppContext, notifier: AdminNotifier): Promise<void> {
  const portals = await ctx.db.query<{ id: number }>(`SELECT id FROM portals WHERE status = 'installed' ORDER BY id`);
  for (const p of portals.rows) {
    const portalId = Number(p.id);
    const plan = await planOf(ctx.db.pool, ctx.config, portalId);
    if (plan.activeContacts === null) continue;
    const m = monthOf(ctx.clock.now(), await timeZoneOf(ctx.db.pool, portalId));
    await claimThresholds(ctx.db.pool, portalId, m, await activeContacts(ctx.db.pool, portalId, m), plan.activeContacts);
  }
  await deliverNotices(ctx.db.pool, notifier, ctx.logger);
}

/** Plans and usage (F24): GET /api/v1/usage, the 80% / 100% notices; limits are hooks (limits.ts). */
export class PlansService implements Domain {
  readonly name = 'plans';
  constructor(
    private readonly ctx: AppContext,
    private readonly notifier: AdminNotifier,
  ) {}

  async defineJobs(): Promise<void> {
    this.ctx.scheduler.add({ name: 'plans.usage', everyMs: USAGE_EVERY_MS, run: () => checkUsage(this.ctx, this.notifier) });
  }

  mountRoutes(router: Router): void {
    const ctx = this.ctx;
    router.get('/api/v1/usage', requireHubSpotSignature(ctx), async (req, res) => {
      res.json(await usageOf(ctx.db.pool, ctx.config, callerOf(req).portalId, ctx.clock.now()));
    });
  }
}

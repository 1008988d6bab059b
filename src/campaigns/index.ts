import type { AppContext, DomainModule } from '../app-context.js';
import { settings } from '../settings/index.js';
import { whatsappSender } from '../whatsapp/index.js';
import type { PlanCheck } from './repo.js';
import { registerCampaignRoutes } from './routes.js';
import { CAMPAIGN_RUN_QUEUE, CampaignRunner, type RunnerOptions } from './runner.js';
import { CampaignService } from './service.js';

export { CAMPAIGN_RUN_QUEUE, CampaignRunner } from './runner.js';
export { CampaignService } from './service.js';

export interface CampaignsModuleOptions {
  runner?: RunnerOptions;
  /** F24 plan limits (another domain) plug in here. */
  planCheck?: PlanCheck;
}

/** Campaigns (F22): bulk template sends paced at the number's shared rate (docs/campaigns.md). */
export function createCampaignsModule(opts: CampaignsModuleOptions = {}): DomainModule {
  return {
    name: 'campaigns',
    async register(ctx: AppContext, router) {
      // Wiring (composition root at merge): the sender, the portal's time zone and admin check.
      const service = new CampaignService({
        ctx,
        timeZoneOf: async (portalId) => (await settings(ctx).get(portalId)).businessHours.timeZone,
        isAdmin: (portalId, userId) => settings(ctx).isAdmin(portalId, userId),
        syncTemplates: (wabaId) => whatsappSender(ctx).syncTemplates(wabaId),
        planCheck: opts.planCheck,
      });
      const runner = new CampaignRunner(ctx, () => whatsappSender(ctx), opts.runner);

      await ctx.jobs.define<{ campaignId: number }>({
        name: CAMPAIGN_RUN_QUEUE,
        concurrency: 2,
        retryLimit: 10,
        retryDelaySeconds: 2,
        expireInSeconds: 300,
        handler: async ({ campaignId }) => runner.run(Number(campaignId)),
      });
      ctx.scheduler.add({ name: 'campaigns.start-due', everyMs: 5_000, run: async () => void (await service.startDue()) });
      ctx.scheduler.add({ name: 'campaigns.watchdog', everyMs: 10_000, run: () => service.watchdog() });
      registerCampaignRoutes(ctx, router, service);
    },
  };
}

export const campaignsModule: DomainModule = createCampaignsModule();

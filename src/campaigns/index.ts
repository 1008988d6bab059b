import type { Router } from 'express';
import type { AppContext, Domain } from '../app-context.js';
import type { SettingsService } from '../settings/index.js';
import type { WhatsAppSender } from '../whatsapp/types.js';
import type { PlanCheck } from './repo.js';
import { registerCampaignRoutes } from './routes.js';
import { CAMPAIGN_RUN_QUEUE, CampaignRunner, type RunnerOptions } from './runner.js';
import { CampaignService } from './service.js';

export { CAMPAIGN_RUN_QUEUE, CampaignRunner } from './runner.js';
export { CampaignService } from './service.js';

export interface CampaignsDeps {
  settings: Pick<SettingsService, 'get' | 'isAdmin'>;
  sender: WhatsAppSender & { syncTemplates(wabaId: string): Promise<unknown> };
  /** F24 plan limits (another domain) plug in here. */
  planCheck?: PlanCheck;
}

export interface CampaignsOptions {
  runner?: RunnerOptions;
}

/** Campaigns (F22): bulk template sends paced at the number's shared rate (docs/campaigns.md). */
export class CampaignsDomain implements Domain {
  readonly name = 'campaigns';
  readonly service: CampaignService;
  readonly runner: CampaignRunner;

  constructor(
    private readonly ctx: AppContext,
    deps: CampaignsDeps,
    opts: CampaignsOptions = {},
  ) {
    this.service = new CampaignService({
      ctx,
      timeZoneOf: async (portalId) => (await deps.settings.get(portalId)).businessHours.timeZone,
      isAdmin: (portalId, userId) => deps.settings.isAdmin(portalId, userId),
      syncTemplates: (wabaId) => deps.sender.syncTemplates(wabaId),
      planCheck: deps.planCheck,
    });
    this.runner = new CampaignRunner(ctx, () => deps.sender, opts.runner);
  }

  async defineJobs(): Promise<void> {
    await this.ctx.jobs.define<{ campaignId: number }>({
      name: CAMPAIGN_RUN_QUEUE,
      concurrency: 2,
      retryLimit: 10,
      retryDelaySeconds: 2,
      expireInSeconds: 300,
      handler: async ({ campaignId }) => this.runner.run(Number(campaignId)),
    });
    this.ctx.scheduler.add({ name: 'campaigns.start-due', everyMs: 5_000, run: async () => void (await this.service.startDue()) });
    this.ctx.scheduler.add({ name: 'campaigns.watchdog', everyMs: 10_000, run: () => this.service.watchdog() });
  }

  mountRoutes(router: Router): void {
    registerCampaignRoutes(this.ctx, router, this.service);
  }
}

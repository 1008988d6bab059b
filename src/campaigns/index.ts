import type { Router } from 'express';
import type { AppContext, Domain } from '../app-context.js';
import { createHmac } from 'node:crypto';
import { resolveEncryptionKey } from '../security/encryption.js';
import type { ContactLinker, ContactLists } from '../seams.js';
import type { SettingsService } from '../settings/index.js';
import type { WhatsAppSender } from '../whatsapp/types.js';
import type { PlanCheck } from './repo.js';
import { AUDIENCE_JOB_RETRIES, AUDIENCE_QUEUE, AudienceService } from './audiences.js';
import { registerCampaignRoutes } from './routes.js';
import { CAMPAIGN_RUN_QUEUE, CampaignRunner, type RunnerOptions } from './runner.js';
import { CampaignService } from './service.js';
import { targetResolver } from './target.js';
import { registerAudienceUpload } from './upload-page.js';

export { CAMPAIGN_RUN_QUEUE, CampaignRunner } from './runner.js';
export { CampaignService } from './service.js';

export interface CampaignsDeps {
  settings: Pick<SettingsService, 'get' | 'isAdmin'>;
  sender: WhatsAppSender & { syncTemplates(wabaId: string): Promise<unknown> };
  /** HubSpot contact lists as audiences (the HubSpot domain); none without it. */
  lists?: ContactLists;
  /** Links the audience to HubSpot contacts ahead of the sends (the HubSpot domain); the timeline links them otherwise. */
  linker?: ContactLinker;
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
  readonly audiences: AudienceService;
  readonly runner: CampaignRunner;

  constructor(
    private readonly ctx: AppContext,
    deps: CampaignsDeps,
    opts: CampaignsOptions = {},
  ) {
    const resolve = targetResolver(ctx, (wabaId) => deps.sender.syncTemplates(wabaId));
    const isAdmin = (portalId: number, userId: number) => deps.settings.isAdmin(portalId, userId);
    // Its own key, derived from the app's encryption key, so a CSV upload link is good for nothing else.
    const key = createHmac('sha256', Buffer.from(resolveEncryptionKey(ctx.config.encryptionKey, ctx.config.dataDir), 'base64')).update('campaign-audiences').digest();
    this.audiences = new AudienceService({ ctx, resolve, isAdmin, key, lists: deps.lists });
    this.service = new CampaignService({
      ctx,
      timeZoneOf: async (portalId) => (await deps.settings.get(portalId)).businessHours.timeZone,
      isAdmin,
      resolve,
      audiences: this.audiences,
      planCheck: deps.planCheck,
    });
    this.runner = new CampaignRunner(ctx, () => deps.sender, opts.runner, deps.linker);
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
    await this.ctx.jobs.define<{ audienceId: number }>({
      name: AUDIENCE_QUEUE,
      concurrency: 2,
      retryLimit: AUDIENCE_JOB_RETRIES,
      retryDelaySeconds: 5,
      handler: async ({ audienceId }, job) => this.audiences.load(Number(audienceId), job),
    });
    this.ctx.scheduler.add({ name: 'campaigns.audiences-purge', everyMs: 60 * 60_000, run: () => this.audiences.purgeExpired() });
    this.ctx.scheduler.add({ name: 'campaigns.start-due', everyMs: 5_000, run: async () => void (await this.service.startDue()) });
    this.ctx.scheduler.add({ name: 'campaigns.watchdog', everyMs: 10_000, run: () => this.service.watchdog() });
  }

  mountRoutes(router: Router): void {
    registerCampaignRoutes(this.ctx, router, this.service, this.audiences);
    registerAudienceUpload(router, { audiences: this.audiences, frameAncestors: this.ctx.config.frameAncestors });
  }
}

import type { Router } from 'express';
import type { AppContext, Domain } from '../app-context.js';
import type { SettingsService } from '../settings/settings-service.js';
import { foldPending } from './days.js';
import { registerReportRoutes } from './routes.js';

/** How often the day rollup takes in the changes no dashboard read has folded (days.ts). */
const FOLD_EVERY_MS = 10 * 60_000;

export { recordEvent, type ReportEvent, type ConversationRef } from './events.js';
export { conversationReport, parseFilter, type ConversationReport, type Figures } from './query.js';
export { businessSecondsBetween } from './business-time.js';

/**
 * The reports domain (F23): reporting events (written by the conversation code through
 * `recordEvent`, in its own transactions), the dashboard figures and the CSV export.
 */
export class ReportsService implements Domain {
  readonly name = 'reports';
  constructor(
    private readonly ctx: AppContext,
    private readonly settings: SettingsService,
  ) {}

  async defineJobs(): Promise<void> {
    const timeZoneOf = async (portalId: number) => (await this.settings.get(portalId)).businessHours.timeZone;
    this.ctx.scheduler.add({ name: 'reports.fold', everyMs: FOLD_EVERY_MS, run: async () => void (await foldPending(this.ctx.db, timeZoneOf)) });
  }

  mountRoutes(router: Router): void {
    registerReportRoutes(router, { ctx: this.ctx, settings: this.settings });
  }
}

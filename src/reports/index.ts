import type { Router } from 'express';
import type { AppContext, Domain } from '../app-context.js';
import type { SettingsService } from '../settings/settings-service.js';
import { registerReportRoutes } from './routes.js';

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

  mountRoutes(router: Router): void {
    registerReportRoutes(router, { ctx: this.ctx, settings: this.settings });
  }
}

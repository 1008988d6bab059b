import type { Router } from 'express';
import type { AppContext, DomainModule } from '../app-context.js';
import { SettingsService } from '../settings/settings-service.js';
import { registerReportRoutes } from './routes.js';

export { recordEvent, type ReportEvent, type ConversationRef } from './events.js';
export { conversationReport, parseFilter, type ConversationReport, type Figures } from './query.js';
export { businessSecondsBetween } from './business-time.js';

/**
 * The reports domain (F23): reporting events (written by the conversation code through
 * `recordEvent`, in its own transactions), the dashboard figures and the CSV export.
 */
export function createReportsModule(): DomainModule {
  return {
    name: 'reports',
    register(ctx: AppContext, router: Router) {
      registerReportRoutes(router, { ctx, settings: new SettingsService(ctx) });
    },
  };
}

export const reportsModule = createReportsModule();

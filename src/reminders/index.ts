import type { DomainModule } from '../app-context.js';
import { settings } from '../settings/index.js';
import { whatsappSender } from '../whatsapp/index.js';
import { ReminderService } from './service.js';

export { ReminderService, NOTICE_LEAD_MS, type ReminderDeps } from './service.js';

export interface RemindersModuleOptions {
  /** Scan period (default one minute); each period runs once across all instances (jobs/scheduler.ts). */
  everyMs?: number;
}

/** F7: reminders after the agent's last message and out-of-hours notices before the window closes. */
export function createRemindersModule(opts: RemindersModuleOptions = {}): DomainModule {
  return {
    name: 'reminders',
    register(ctx) {
      // ---- wiring (the one spot that reaches other domains) ----
      const service = new ReminderService({
        db: ctx.db,
        clock: ctx.clock,
        logger: ctx.logger,
        settings: (portalId) => settings(ctx).get(portalId),
        send: (req) => whatsappSender(ctx).send(req),
      });
      // ---- end of wiring ----
      ctx.scheduler.add({
        name: 'reminders.scan',
        everyMs: opts.everyMs ?? 60_000,
        run: async () => {
          await service.runReminders();
          await service.runOutOfHoursNotices();
        },
      });
    },
  };
}

export const remindersModule: DomainModule = createRemindersModule();

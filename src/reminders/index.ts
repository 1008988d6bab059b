import type { AppContext, Domain } from '../app-context.js';
import type { MessageSender } from '../seams.js';
import type { SettingsService } from '../settings/index.js';
import { ReminderService } from './service.js';

export { ReminderService, NOTICE_LEAD_MS, type ReminderDeps } from './service.js';

export interface RemindersOptions {
  /** Scan period (default one minute); each period runs once across all instances (jobs/scheduler.ts). */
  everyMs?: number;
}

/** F7: reminders after the agent's last message and out-of-hours notices before the window closes. */
export class RemindersDomain implements Domain {
  readonly name = 'reminders';
  readonly service: ReminderService;

  constructor(
    private readonly ctx: AppContext,
    deps: { settings: SettingsService; sender: MessageSender },
    private readonly opts: RemindersOptions = {},
  ) {
    this.service = new ReminderService({
      db: ctx.db,
      clock: ctx.clock,
      logger: ctx.logger,
      settings: (portalId) => deps.settings.get(portalId),
      send: (req) => deps.sender.send(req),
    });
  }

  async defineJobs(): Promise<void> {
    this.ctx.scheduler.add({
      name: 'reminders.scan',
      everyMs: this.opts.everyMs ?? 60_000,
      run: async () => {
        await this.service.runReminders();
        await this.service.runOutOfHoursNotices();
      },
    });
  }
}

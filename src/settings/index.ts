import type { AppContext, DomainModule } from '../app-context.js';
import { SettingsService } from './settings-service.js';

export { SettingsService } from './settings-service.js';
export { defaultSettings, DEFAULT_CONSENT_TEXT } from './defaults.js';
export {
  agentByUser, agentName, canHoldConversations, getAgent, isAvailable, isOutOfOffice, listAgents, replaceAgents, requireAgent, toApiAgent,
  type AgentRow, type ApiAgent,
} from './agents.js';
export { businessDate, describeMoment, endOfBusinessDay, isOpenAt, nextOpening, openIntervals } from './business-hours.js';
export { SYSTEM_LABELS, ROUTING_METHODS, WEEKDAYS, type RoutingMethod, type Settings } from './types.js';

const KEY = 'settings';

/** The portal settings service (consent text and version, routing, hours, labels, keywords, agents). */
export function settings(ctx: AppContext): SettingsService {
  const s = ctx.services[KEY];
  if (!s) throw new Error('the settings module is not registered');
  return s as SettingsService;
}

/** Registers the settings service; its HTTP routes are registered by the conversations module. */
export const settingsModule: DomainModule = {
  name: 'settings',
  register(ctx) {
    ctx.services[KEY] = new SettingsService(ctx);
  },
};

export { SettingsService } from './settings-service.js';
export { registerSettingsRoutes, type AgentsChangedListener, type SettingsRouteDeps } from './routes.js';
export { defaultSettings, DEFAULT_CONSENT_TEXT } from './defaults.js';
export {
  agentByUser, agentName, canHoldConversations, getAgent, isAvailable, isOutOfOffice, listAgents, replaceAgents, requireAgent, toApiAgent,
  type AgentRow, type ApiAgent,
} from './agents.js';
export { businessDate, describeMoment, endOfBusinessDay, isOpenAt, nextOpening, openIntervals } from './business-hours.js';
export { SYSTEM_LABELS, ROUTING_METHODS, WEEKDAYS, type RoutingMethod, type Settings } from './types.js';

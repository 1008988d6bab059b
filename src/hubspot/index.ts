export { CONTACT_PROPERTIES } from './properties.js';
export type { HubSpotOwner } from './client.js';
export type { PropertyValue } from './property-outbox.js';
export type { HubSpotOptions } from './core.js';
export { PortalNotConnectedError } from './errors.js';
export { HubSpotService, consentPropertyValues, type HubSpotDeps } from './service.js';

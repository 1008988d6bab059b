export type { MessageRow, OutboundContent, OutboundRequest, WhatsAppSender } from './types.js';
export { WhatsAppService, type WhatsAppDeps, type WhatsAppOptions } from './service.js';
export { isValidMetaSignature } from './signature.js';
export { parseWebhook } from './parse.js';

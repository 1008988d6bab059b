export { ConversationsService } from './service.js';
export type { ConversationDeps, ConversationSeams } from './deps.js';
export type { ConversationRow, MessageRow } from './types.js';
export { ConversationActions } from './actions.js';
export { RepSends } from './rep-send.js';
export type { Caller } from './commands.js';

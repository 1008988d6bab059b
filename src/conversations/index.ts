export { ConversationsService } from './service.js';
export type { ConversationDeps, ConversationSeams } from './deps.js';
export type { ConversationRow, MessageRow } from './types.js';
export { ConversationActions, type Caller } from './actions.js';

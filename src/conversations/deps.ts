import type { AppContext } from '../app-context.js';
import type { FlowTurn } from '../botflow/runner.js';
import type { ConsentBot } from '../consent/bot.js';
import type { ConsentMirror, ContactDirectory, MessageSender, TaskNotifier } from '../seams.js';
import type { SettingsService } from '../settings/settings-service.js';
import type { ConversationRow } from './types.js';

/** The other domains this one calls, through their seams (src/seams.ts); tests pass fakes here. */
export interface ConversationSeams {
  sender: MessageSender;
  directory: ContactDirectory;
  tasks: TaskNotifier;
  consent: ConsentMirror;
}

/** The bot flow's hooks in the inbound path (issue 15, src/botflow/); absent: no bot flow runs. */
export interface BotFlowHooks {
  /** After consent, before routing: returns the conversation the flow took, or null to route now. */
  beforeRouting(t: FlowTurn, conv: ConversationRow): Promise<ConversationRow | null>;
  /** A customer message on a conversation: true when the bot flow handled it. */
  turn(t: FlowTurn, conv: ConversationRow): Promise<boolean>;
}

/** What the conversation use cases are built with (src/composition.ts). */
export interface ConversationDeps extends ConversationSeams {
  ctx: AppContext;
  settings: SettingsService;
  /** F8/F9: the consent bot and the opt-out keywords (src/consent/bot.ts), called on each inbound turn. */
  consentBot: ConsentBot;
  botFlow?: BotFlowHooks;
}

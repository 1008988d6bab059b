import type { AppContext } from '../app-context.js';
import type { ConsentMirror, ContactDirectory, MessageSender, TaskNotifier } from '../seams.js';
import type { SettingsService } from '../settings/settings-service.js';

/** The other domains this one calls, through their seams (src/seams.ts); tests pass fakes here. */
export interface ConversationSeams {
  sender: MessageSender;
  directory: ContactDirectory;
  tasks: TaskNotifier;
  consent: ConsentMirror;
}

/** What the conversation use cases are built with (src/composition.ts). */
export interface ConversationDeps extends ConversationSeams {
  ctx: AppContext;
  settings: SettingsService;
}

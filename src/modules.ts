import type { DomainModule } from './app-context.js';
import { whatsappModule } from './whatsapp/index.js';
import { hubspotModule } from './hubspot/index.js';
import { settingsModule } from './settings/index.js';
import { conversationsModule } from './conversations/index.js';
import { templatesModule } from './templates/module.js';
import { remindersModule } from './reminders/index.js';

/** Every domain, in the order they register (later ones may use earlier ones' services). */
export const modules: DomainModule[] = [whatsappModule, hubspotModule, settingsModule, conversationsModule, templatesModule, remindersModule];

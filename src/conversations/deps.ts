import type { AppContext } from '../app-context.js';
import type { SettingsService } from '../settings/settings-service.js';
import type { Ports } from './ports.js';

/** What the conversation services share. */
export interface Deps {
  ctx: AppContext;
  ports: Ports;
  settings: SettingsService;
}

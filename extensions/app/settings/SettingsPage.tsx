// Settings entrypoint (settings-hsmeta.json): Marketplace → Connected apps → WhatsApp → Settings.
import { hubspot } from '@hubspot/ui-extensions';
import { SettingsView } from './SettingsView';

hubspot.extend<'settings'>(({ context }) => <SettingsView context={context} />);

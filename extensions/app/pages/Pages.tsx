// App pages entrypoint (pages-hsmeta.json): the manager dashboard and the plan's usage inside HubSpot.
import { hubspot } from '@hubspot/ui-extensions';
import { AppPages } from './AppPages';
import { createBackend, type PageFetch } from './backend';

hubspot.extend<'pages'>(({ context, actions }) => <AppPages backend={createBackend(context, hubspot.fetch as unknown as PageFetch, undefined, actions)} />);

// App pages entrypoint (pages-hsmeta.json): dashboard, campaigns, templates and usage inside HubSpot.
import { hubspot } from '@hubspot/ui-extensions';
import { AppPages } from './AppPages';
import { createBackend, type PageFetch } from './backend';

hubspot.extend<'pages'>(({ context, actions }) => <AppPages backend={{ ...createBackend(context, hubspot.fetch as unknown as PageFetch), actions }} />);

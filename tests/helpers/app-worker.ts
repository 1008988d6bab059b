// The app's job workers in their own process (production job settings: lease, heartbeat, monitor),
// on the parent test's database, for the "SIGKILL a worker mid-job" tests.
// argv: <database url>
import { openDatabase } from '../../src/db/database.js';
import { createRuntime } from '../../src/server.js';
import { testConfig } from './config.js';

const [url] = process.argv.slice(2) as [string];
const db = await openDatabase({ databaseUrl: url, poolMax: 3 });
await createRuntime(testConfig(), {
  db,
  work: true,
  domains: { hubspot: false, conversations: false, campaigns: false, templates: false, reminders: false },
});
process.send?.('ready');

// Starts the whole product locally: the Meta and HubSpot simulators, the app itself on the embedded
// PostgreSQL, the demo page, and the demo setup (install, number, templates, agents, settings).
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { createRuntime, type Runtime } from '../../src/server.js';
import { createHubSpotSimulator, type HubSpotSimulator } from '../hubspot/index.js';
import { createMetaSimulator, type MetaSimulator } from '../meta/index.js';
import { createExtensionHost } from '../extension-host/server.js';
import { ExtensionClient } from './extension.js';
import { DEMO_NUMBER, DEMO_PORTAL, DEMO_SECRETS } from './fixtures.js';
import { DemoPersistence } from './persist.js';
import { startDemoServer } from './server.js';
import { ensurePortal, runSetup, seedTemplates, type SetupReport } from './setup.js';
import { seedHistory } from './history.js';

export interface DemoOptions {
  /** Parent of the demo's state (default DATA_DIR or ./data); the demo keeps everything in <dataDir>/demo. */
  dataDir?: string;
  /** Wipe <dataDir>/demo first. */
  reset?: boolean;
  /** The app (default 3000), the demo page (4000), the Meta simulator (4001), the HubSpot simulator (4002). 0 = any free port. */
  appPort?: number;
  demoPort?: number;
  metaPort?: number;
  hubspotPort?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** The app's log level (default warn: the page polls every second). */
  logLevel?: string;
  /** Delay between Meta's status webhooks (default 400 ms, so the ticks visibly progress). */
  statusDelayMs?: number;
  /** The extensions folder the host bundles (default: the repo's extensions/). */
  extensionsRoot?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface RunningDemo {
  urls: { demo: string; app: string; meta: string; hubspot: string; install: string };
  dataDir: string;
  setup: SetupReport;
  restored: boolean;
  config: Config;
  runtime: Runtime;
  meta: MetaSimulator;
  hubspot: HubSpotSimulator;
  close(): Promise<void>;
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startDemo(o: DemoOptions = {}): Promise<RunningDemo> {
  const log = o.log ?? (() => {});
  const host = o.host ?? '127.0.0.1';
  const dataDir = path.resolve(o.dataDir ?? process.env.DATA_DIR ?? './data', 'demo');
  if (o.reset) {
    rmSync(dataDir, { recursive: true, force: true });
    log(`reset: removed ${dataDir}`);
  }
  const appPort = o.appPort === 0 ? await freePort(host) : (o.appPort ?? 3000);
  const appUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${appPort}`;

  const cleanup: Array<() => Promise<void> | void> = [];
  const closeAll = async () => {
    for (const fn of cleanup.reverse()) await Promise.resolve(fn()).catch(() => undefined);
    cleanup.length = 0;
  };

  try {
    // ---- the simulators ----
    const hubspot = createHubSpotSimulator({
      clientId: DEMO_SECRETS.HUBSPOT_CLIENT_ID,
      clientSecret: DEMO_SECRETS.HUBSPOT_CLIENT_SECRET,
      redirectUris: [`${appUrl}/oauth/callback`],
      appName: 'WhatsApp for HubSpot',
    });
    const meta = createMetaSimulator({
      appSecret: DEMO_SECRETS.WHATSAPP_APP_SECRET,
      statusDelayMs: o.statusDelayMs ?? 400,
      numbers: [
        {
          phoneNumberId: DEMO_NUMBER.phoneNumberId,
          wabaId: DEMO_NUMBER.wabaId,
          displayPhoneNumber: DEMO_NUMBER.displayPhoneNumber,
          verifiedName: DEMO_NUMBER.verifiedName,
          accessToken: DEMO_NUMBER.accessToken,
          qualityRating: DEMO_NUMBER.qualityRating,
        },
      ],
    });
    cleanup.push(() => meta.stop());
    // Bundling runs while the database starts (it takes well under a second).
    const extensionHostBuild = createExtensionHost({
      hubspot,
      apiBaseUrl: appUrl,
      extensionsRoot: o.extensionsRoot,
      knownUser: (portalId, userId) => portalId === DEMO_PORTAL.portalId && [DEMO_PORTAL.admin, ...DEMO_PORTAL.agents].some((u) => u.userId === userId),
    });
    extensionHostBuild.catch(() => undefined);
    const persistence = new DemoPersistence(dataDir, hubspot, meta);
    const restored = await persistence.restore();
    ensurePortal(hubspot);
    seedTemplates(meta);

    const metaServer = await meta.listen(o.metaPort ?? 4001, host);
    cleanup.push(() => metaServer.close());
    const hubspotServer = await hubspot.listen(o.hubspotPort ?? 4002, host);
    cleanup.push(() => hubspotServer.close());

    // ---- the app, configured like production but pointed at the simulators ----
    const config = loadConfig({
      NODE_ENV: 'development',
      LOG_LEVEL: o.logLevel ?? process.env.LOG_LEVEL ?? 'warn',
      PORT: String(appPort),
      PUBLIC_BASE_URL: appUrl,
      DATA_DIR: dataDir,
      ...DEMO_SECRETS,
      HUBSPOT_API_BASE_URL: hubspotServer.url,
      HUBSPOT_AUTH_BASE_URL: hubspotServer.url,
      WHATSAPP_API_BASE_URL: metaServer.url,
      WHATSAPP_API_VERSION: 'v24.0',
      // The demo page frames the upload page; localhost and 127.0.0.1 are allowed in development already.
      ...(['127.0.0.1', 'localhost', '0.0.0.0'].includes(host) || host.includes(':') ? {} : { FRAME_ANCESTORS: `http://${host}:*` }),
    });
    const runtime = await createRuntime(config);
    cleanup.push(() => runtime.close());
    await runtime.listen(appPort, host);
    meta.setWebhookUrl(`${appUrl}/webhooks/whatsapp`);

    // ---- the demo page, with the real extensions bundled by the local extension host ----
    const api = new ExtensionClient(hubspot, appUrl, DEMO_PORTAL.portalId);
    const extensionHost = await extensionHostBuild;
    log(`extensions bundled in ${extensionHost.bundles.ms} ms: ${extensionHost.bundles.extensions.map((x) => `${x.uid}${x.errors.length ? ' ✗' : ''}`).join(', ')}`);
    for (const x of extensionHost.bundles.extensions) for (const e of x.errors) log(`✗ ${x.uid}: ${e}`);
    let setup: SetupReport | undefined;
    const urls = { app: appUrl, meta: metaServer.url, hubspot: hubspotServer.url };
    const page = await startDemoServer({ meta, hubspot, api, phone: persistence.phone, urls, setup: () => setup, extensionHost }, o.demoPort ?? 4000, host);
    cleanup.push(() => page.close());
    persistence.start();
    cleanup.push(() => {
      persistence.stop();
      persistence.save();
    });

    log(restored ? `setting up (reusing ${dataDir})` : `setting up (fresh state in ${dataDir})`);
    setup = await runSetup({ hubspot, hubspotUrl: hubspotServer.url, meta, appUrl, api, log });
    if (setup.ok) await seedHistory(runtime.ctx, { log }); // [reports] a few weeks of history for the dashboard
    persistence.save();

    return {
      urls: { demo: page.url, ...urls, install: `${appUrl}/oauth/install` },
      dataDir,
      setup,
      restored,
      config,
      runtime,
      meta,
      hubspot,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

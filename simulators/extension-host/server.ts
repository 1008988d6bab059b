// Serves the local extension host under /extension-host on the demo page's server: the bundles, the
// worker runtime, the page script, and `hubspot.fetch` sent through the HubSpot simulator's proxy.
import express, { type Router } from 'express';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { HubSpotSimulator } from '../hubspot/index.js';
import { fileURLToPath } from 'node:url';
import { buildHost, REPO_ROOT, type HostBundles } from './build.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface ExtensionHostOptions {
  hubspot: HubSpotSimulator;
  /** What `${apiBaseUrl}` in app-hsmeta.json stands for (the app's public URL). */
  apiBaseUrl: string;
  /** Users the demo lets act (HubSpot signs userId from the session, never from the extension). */
  knownUser: (portalId: number, userId: number) => boolean;
  extensionsRoot?: string;
}

export interface ExtensionHost {
  router: Router;
  bundles: HostBundles;
  permitted: { fetch: string[]; iframe: string[] };
}

const FetchBody = z.object({
  url: z.string().url(),
  portalId: z.number().int(),
  userId: z.number().int(),
  init: z
    .object({
      method: z.string().optional(),
      body: z.unknown().optional(),
      headers: z.record(z.string(), z.string()).optional(),
      timeout: z.number().optional(),
    })
    .passthrough()
    .default({}),
});

/** permittedUrls from app-hsmeta.json, with ${apiBaseUrl} filled in as `hs project upload` does. */
export function permittedUrls(extensionsRoot: string, apiBaseUrl: string): { fetch: string[]; iframe: string[] } {
  const app = JSON.parse(readFileSync(path.join(extensionsRoot, 'app', 'app-hsmeta.json'), 'utf8')) as { config?: { permittedUrls?: Record<string, string[]> } };
  const fill = (list: string[] | undefined) => (list ?? []).map((u) => u.replace('${apiBaseUrl}', apiBaseUrl.replace(/\/+$/, '')));
  return { fetch: fill(app.config?.permittedUrls?.fetch), iframe: fill(app.config?.permittedUrls?.iframe) };
}

export async function createExtensionHost(o: ExtensionHostOptions): Promise<ExtensionHost> {
  const root = o.extensionsRoot ?? path.join(REPO_ROOT, 'extensions');
  const bundles = await buildHost(root);
  const permitted = permittedUrls(root, o.apiBaseUrl);
  const router = express.Router();
  const js = (code: string) => (_req: express.Request, res: express.Response) => void res.type('text/javascript').send(code);

  router.get('/worker.js', js(bundles.worker));
  router.get('/host.js', js(bundles.page));
  router.get('/host.css', (_req, res) => void res.type('text/css').sendFile(path.join(HERE, 'page', 'host.css')));
  router.get('/extensions', (_req, res) => {
    res.json({
      permitted,
      buildMs: bundles.ms,
      extensions: bundles.extensions.map((x) => ({ uid: x.uid, kind: x.kind, name: x.name, location: x.location, meta: x.meta, errors: x.errors, bundleUrl: `/extension-host/extensions/${encodeURIComponent(x.uid)}.js` })),
    });
  });
  router.get('/extensions/:file', (req, res) => {
    const uid = String(req.params.file).replace(/\.js$/, '');
    const x = bundles.extensions.find((e) => e.uid === uid);
    if (!x) return void res.status(404).type('text/plain').send(`no extension ${uid}`);
    if (!x.code) return void res.status(500).type('text/plain').send(x.errors.join('\n'));
    res.type('text/javascript').send(x.code);
  });
  router.post('/fetch', express.json({ limit: '2mb' }), async (req, res) => {
    const parsed = FetchBody.safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: { code: 'VALIDATION', message: 'bad hubspot.fetch request', details: parsed.error.issues } });
    const { url, portalId, userId, init } = parsed.data;
    if (!o.knownUser(portalId, userId)) return void res.status(403).json({ error: { code: 'FORBIDDEN', message: `user ${userId} is not signed in to portal ${portalId}` } });
    try {
      const r = await o.hubspot.proxyFetch({ url, method: init.method ?? 'GET', body: init.body, headers: init.headers, timeout: init.timeout, portalId, userId });
      const body = r.body === null || r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      res.json({ status: r.status, headers: r.headers, body });
    } catch (e) {
      // hubspot.fetch rejects (timeout, size limit, connection): the extension sees a rejected promise.
      res.status(502).json({ error: { code: 'FETCH_FAILED', message: (e as Error).message } });
    }
  });
  return { router, bundles, permitted };
}

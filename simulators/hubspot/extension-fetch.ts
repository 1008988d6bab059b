// `hubspot.fetch` for extension tests: the extension's call goes through the simulator's proxy
// (HubSpot's rules: headers, bodies, limits, retries, appended ids, signature), like local.json's
// mapping sends a public origin to a local server. Returns a `Response`, as hubspot.fetch does.
import type { ProxyFetchInput, ProxyFetchResult } from './proxy.js';

export interface ExtensionFetchOptions {
  portalId: number;
  userId: number;
  /** Public origin → local origin, e.g. { 'https://api.example.com': 'http://127.0.0.1:4321' }. */
  origins?: Record<string, string>;
}

type Init = { method?: string; body?: unknown; headers?: unknown; timeout?: number };

export function extensionFetch(proxy: (p: ProxyFetchInput) => Promise<ProxyFetchResult>, o: ExtensionFetchOptions) {
  return async (url: string | URL, init: Init = {}): Promise<Response> => {
    let target = String(url);
    for (const [from, to] of Object.entries(o.origins ?? {})) {
      if (target.startsWith(from)) target = to + target.slice(from.replace(/\/+$/, '').length);
    }
    const r = await proxy({
      url: target,
      method: init.method,
      body: init.body,
      headers: init.headers as Record<string, string> | undefined,
      timeout: init.timeout,
      portalId: o.portalId,
      userId: o.userId,
    });
    const noBody = [204, 205, 304].includes(r.status) || r.body === null || r.body === undefined;
    const text = noBody ? null : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    return new Response(text, { status: r.status, headers: { 'content-type': r.headers['content-type'] ?? 'application/json' } });
  };
}

export interface LocalRequest {
  method: string;
  /** Full URL as the backend received it (local origin + path and query, as sent). */
  url: string;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A loopback HTTP server (ephemeral port) in front of `handle`, so a test's stand-in backend is
 * reached over real HTTP through the proxy.
 */
export async function serveLocal(handle: (req: LocalRequest) => Promise<{ status: number; body?: unknown }>) {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const addr = server.address() as { port: number };
      try {
        const out = await handle({
          method: req.method ?? 'GET',
          url: `http://127.0.0.1:${addr.port}${req.url ?? '/'}`,
          body: raw ? JSON.parse(raw) : undefined,
          headers: req.headers,
        });
        if (out.body === undefined) res.writeHead(out.status).end();
        else res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.body));
      } catch (e) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'TEST', message: String(e) } }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

// Test-only: a tiny in-memory stand-in for our backend behind hubspot.fetch.
// Tests route hubspot.fetch (mocked at the module boundary) to `backend.fetch` and assert on
// `backend.requests`: method, path, query (portalId/userId), body and its idempotencyKey. Like
// HubSpot's proxy it refuses any request header but Authorization, and like our backend it takes
// `idempotencyKey` out of the body before the route sees it.

export interface RecordedRequest {
  method: string;
  url: string;
  origin: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  /** The body's `idempotencyKey` (sent by every mutation), removed from `body`. */
  idempotencyKey: string | undefined;
  headers: Record<string, string>;
}

/** HubSpot's proxy's answer to a request header other than Authorization (the backend never sees it). */
export const HEADER_REFUSED = {
  category: 'VALIDATION_ERROR',
  status: 'error',
  message: "Invalid Request Headers provided. Only 'Authorization' header is allowed from hubspot.fetch()",
};

export interface FakeResponse {
  status?: number;
  body?: unknown;
}

type Handler = (req: RecordedRequest) => FakeResponse | Promise<FakeResponse>;

interface Route {
  method: string;
  path: string | RegExp;
  handler: Handler;
}

export interface FakeBackend {
  on(method: string, path: string | RegExp, handler: Handler | FakeResponse): void;
  fetch(url: string | URL, options?: { method?: string; body?: Record<string, unknown>; headers?: unknown }): Promise<Response>;
  requests: RecordedRequest[];
  calls(method: string, path: string | RegExp): RecordedRequest[];
  last(method: string, path: string | RegExp): RecordedRequest | undefined;
}

export function ok(body: unknown, status = 200): FakeResponse {
  return { status, body };
}

export function apiError(status: number, code: string, message: string, details?: Record<string, string>): FakeResponse {
  return { status, body: { error: { code, message, ...(details ? { details } : {}) } } };
}

function matches(p: string | RegExp, path: string): boolean {
  return typeof p === 'string' ? p === path : p.test(path);
}

export function createFakeBackend(): FakeBackend {
  const routes: Route[] = [];
  const requests: RecordedRequest[] = [];
  return {
    requests,
    on(method, path, handler) {
      const h: Handler = typeof handler === 'function' ? handler : () => handler;
      routes.unshift({ method, path, handler: h });
    },
    async fetch(url, options = {}) {
      const u = new URL(String(url));
      const headers: Record<string, string> = {};
      const h = options.headers;
      if (h && typeof h === 'object') {
        for (const [k, v] of Object.entries(h as Record<string, string>)) headers[k] = String(v);
      }
      if (Object.keys(headers).some((k) => k.toLowerCase() !== 'authorization')) {
        return { ok: false, status: 400, json: async () => HEADER_REFUSED } as unknown as Response;
      }
      const { idempotencyKey, ...rest } = options.body ?? {};
      const req: RecordedRequest = {
        method: options.method ?? 'GET',
        url: String(url),
        origin: u.origin,
        path: u.pathname,
        query: Object.fromEntries(u.searchParams.entries()),
        body: options.body ? rest : undefined,
        idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
        headers,
      };
      requests.push(req);
      const route = routes.find((r) => r.method === req.method && matches(r.path, req.path));
      const res = route
        ? await route.handler(req)
        : apiError(404, 'NOT_FOUND', `No fake route for ${req.method} ${req.path}`);
      const status = res.status ?? 200;
      return {
        ok: status >= 200 && status < 300,
        status,
        json: async () => {
          if (res.body === undefined) throw new SyntaxError('Unexpected end of JSON input');
          return JSON.parse(JSON.stringify(res.body));
        },
      } as unknown as Response;
    },
    calls(method, path) {
      return requests.filter((r) => r.method === method && matches(path, r.path));
    },
    last(method, path) {
      const c = requests.filter((r) => r.method === method && matches(path, r.path));
      return c[c.length - 1];
    },
  };
}

export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

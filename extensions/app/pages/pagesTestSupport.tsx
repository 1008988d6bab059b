// A fake backend for the app pages' tests: answers by path, records every call (URL and init).
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { AppPages } from './AppPages';
import { createBackend, type PageFetch } from './backend';

export type Answer = { status: number; body: unknown } | 'network' | 'pending';
export interface Call {
  url: URL;
  method: string;
  body?: Record<string, unknown>;
  headers?: unknown;
}

export function fakeFetch(answers: Record<string, Answer | ((call: Call) => Answer)>) {
  const calls: Call[] = [];
  const fetch: PageFetch = async (url, init) => {
    const call: Call = { url: new URL(url), method: init.method, body: init.body, headers: (init as { headers?: unknown }).headers };
    calls.push(call);
    const path = call.url.pathname.replace(/^\/api\/v1/, '');
    const a = answers[`${init.method} ${path}`];
    const answer = typeof a === 'function' ? a(call) : (a ?? { status: 404, body: { error: { code: 'NOT_FOUND', message: 'No route' } } });
    if (answer === 'network') throw new Error('offline');
    if (answer === 'pending') return new Promise<Response>(() => {});
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, calls };
}

export const TODAY = '2026-03-31';

export function renderPages(answers: Record<string, Answer | ((call: Call) => Answer)>, path = '/') {
  const r = createRenderer('pages');
  r.mocks.setPageLocation({ path, params: {} });
  const f = fakeFetch(answers);
  const backend = createBackend({ portal: { id: 123 }, user: { id: 1, locale: 'es' }, variables: { apiBaseUrl: 'https://api.test' } }, f.fetch, () => TODAY);
  r.render(<AppPages backend={backend} />);
  return { ...r, calls: f.calls };
}

const figures = (n: number) => ({
  conversations: n, open: 1, resolved: n - 1, answered: n - 1, unanswered: 1,
  avgFirstResponseSeconds: 75, avgFirstResponseBusinessSeconds: 45, avgResolutionSeconds: 3720,
});

export const REPORT = {
  range: { from: '2026-03-02', to: TODAY, timeZone: 'America/Bogota' },
  totals: figures(5),
  byAgent: [
    { agentId: '1', ownerId: '901', name: 'Ana Gómez', ...figures(4) },
    { agentId: '2', ownerId: '902', name: 'Luis Pérez', ...figures(1), avgResolutionSeconds: null },
  ],
  byDay: [
    { date: '2026-03-30', ...figures(4) },
    { date: '2026-03-31', ...figures(1) },
  ],
};

export const EMPTY_REPORT = {
  ...REPORT,
  totals: { ...figures(0), open: 0, resolved: 0, answered: 0, unanswered: 0, avgFirstResponseSeconds: null, avgFirstResponseBusinessSeconds: null, avgResolutionSeconds: null },
  byAgent: [],
  byDay: [],
};

export const OPTIONS = {
  'GET /whatsapp-numbers': { status: 200, body: { numbers: [{ phoneNumberId: '111', label: 'Support' }, { phoneNumberId: '222', label: 'Sales' }] } },
  'GET /agents': { status: 200, body: { agents: [{ agentId: '1', name: 'Ana Gómez' }, { agentId: '2', name: 'Luis Pérez' }] } },
};

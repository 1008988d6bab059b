import { describe, expect, it } from 'vitest';
import {
  Alert, BarChart, Button, EmptyState, ErrorState, LineChart, Link, LoadingSpinner, ProgressBar, Select, StatisticsItem, TableCell, Text,
} from '@hubspot/ui-extensions';
import { PageLink } from '@hubspot/ui-extensions/pages';
import { EMPTY_REPORT, OPTIONS, REPORT, renderPages, TODAY } from './pagesTestSupport';
import { SECTIONS } from './sections';

const reportCalls = (calls: { url: URL; method: string }[]) => calls.filter((c) => c.url.pathname === '/api/v1/reports/conversations');

describe('app pages: dashboard (F23)', () => {
  it('shows a spinner while the report loads', () => {
    const r = renderPages({ ...OPTIONS, 'GET /reports/conversations': 'pending' });
    expect(r.findByTestId(LoadingSpinner, 'loading')).toBeTruthy();
    expect(r.maybeFind(StatisticsItem)).toBeNull();
  });

  it('the data: totals as statistics, per-day line chart, per-agent bar chart and table', async () => {
    const r = renderPages({ ...OPTIONS, 'GET /reports/conversations': { status: 200, body: REPORT } });
    await r.waitFor(() => expect(r.findAll(StatisticsItem).length).toBe(7));
    const stats = Object.fromEntries(r.findAll(StatisticsItem).map((s) => [s.props.label, s.props.number]));
    expect(stats).toEqual({
      Conversations: 5, Open: 1, Resolved: 4, Answered: 4, Unanswered: 1,
      'Avg first response': '1m 15s', 'Avg resolution': '1h 2m',
    });
    expect(r.find(Text, (t) => t.text === '45s in business hours')).toBeTruthy();
    const line = r.findByTestId(LineChart, 'per-day');
    expect(line.props.data).toContainEqual({ date: '2026-03-30', series: 'Conversations', value: 4 });
    expect(line.props.data).toContainEqual({ date: '2026-03-30', series: 'Avg first response (min)', value: 1.3 });
    const bar = r.findByTestId(BarChart, 'per-agent-chart');
    expect(bar.props.data).toContainEqual({ agent: 'Ana Gómez', status: 'Answered', conversations: 3 });
    const cells = r.findAll(TableCell).map((c) => c.text);
    expect(cells.slice(0, 9)).toEqual(['Ana Gómez', '4', '1', '3', '3', '1', '1m 15s', '45s', '1h 2m']);
    expect(cells.slice(9)).toEqual(['Luis Pérez', '1', '1', '0', '0', '1', '1m 15s', '45s', '—']);
    // the default range: the last 30 days ending today, all numbers, all agents
    const q = reportCalls(r.calls)[0]!.url.searchParams;
    expect(Object.fromEntries(q)).toEqual({ from: '2026-03-02', to: TODAY, portalId: '123', userId: '1' });
  });

  it('empty: a range without conversations says so', async () => {
    const r = renderPages({ ...OPTIONS, 'GET /reports/conversations': { status: 200, body: EMPTY_REPORT } });
    await r.waitFor(() => expect(r.findByTestId(EmptyState, 'empty')).toBeTruthy());
    expect(r.maybeFind(LineChart)).toBeNull();
  });

  it("error: the backend's message, and Try again asks again", async () => {
    let n = 0;
    const r = renderPages({
      ...OPTIONS,
      'GET /reports/conversations': () =>
        n++ === 0 ? { status: 422, body: { error: { code: 'VALIDATION', message: 'The report range is not valid: to At most 366 days per report' } } } : { status: 200, body: REPORT },
    });
    await r.waitFor(() => expect(r.findByTestId(ErrorState, 'error')).toBeTruthy());
    expect(r.find(Text, (t) => Boolean(t.text?.includes('At most 366 days')))).toBeTruthy();
    r.find(Button, (b) => b.text === 'Try again').trigger('onClick');
    await r.waitFor(() => expect(r.findAll(StatisticsItem).length).toBe(7));
  });

  it('filters send the right query: range, number and agent', async () => {
    const r = renderPages({ ...OPTIONS, 'GET /reports/conversations': { status: 200, body: REPORT } });
    await r.waitFor(() => expect(r.findAll(StatisticsItem).length).toBe(7));
    await r.waitFor(() => expect(r.findByTestId(Select, 'filter-number').props.options).toHaveLength(3));
    r.findByTestId(Select, 'filter-range').trigger('onChange', 7 as never);
    await r.waitFor(() => expect(reportCalls(r.calls)).toHaveLength(2));
    r.findByTestId(Select, 'filter-number').trigger('onChange', '222' as never);
    await r.waitFor(() => expect(reportCalls(r.calls)).toHaveLength(3));
    r.findByTestId(Select, 'filter-agent').trigger('onChange', '2' as never);
    await r.waitFor(() => expect(reportCalls(r.calls)).toHaveLength(4));
    const qs = reportCalls(r.calls).map((c) => Object.fromEntries(c.url.searchParams));
    expect(qs[1]).toMatchObject({ from: '2026-03-25', to: TODAY });
    expect(qs[2]).toMatchObject({ from: '2026-03-25', to: TODAY, phoneNumberId: '222' });
    expect(qs[3]).toEqual({ from: '2026-03-25', to: TODAY, phoneNumberId: '222', agentId: '2', portalId: '123', userId: '1' });
  });

  it('export: a signed POST with the filter and the key in the body (no headers), then a download link', async () => {
    const r = renderPages({
      ...OPTIONS,
      'GET /reports/conversations': { status: 200, body: REPORT },
      'POST /reports/exports': { status: 201, body: { url: 'https://api.test/reports/exports/tok/conversations.csv', expiresAt: '2026-03-31T15:10:00.000Z' } },
    });
    await r.waitFor(() => expect(r.findByTestId(Button, 'export')).toBeTruthy());
    r.findByTestId(Button, 'export').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(Link, 'export-link').props.href).toBe('https://api.test/reports/exports/tok/conversations.csv'));
    const post = r.calls.find((c) => c.method === 'POST')!;
    expect(post.headers).toBeUndefined();
    expect(post.body).toMatchObject({ from: '2026-03-02', to: TODAY, language: 'es' });
    expect(post.body!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('export failure is shown, the dashboard stays', async () => {
    const r = renderPages({
      ...OPTIONS,
      'GET /reports/conversations': { status: 200, body: REPORT },
      'POST /reports/exports': 'network',
    });
    await r.waitFor(() => expect(r.findByTestId(Button, 'export')).toBeTruthy());
    r.findByTestId(Button, 'export').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(Alert, 'export-error').text).toContain('Could not reach the WhatsApp service'));
    expect(r.findAll(StatisticsItem)).toHaveLength(7);
  });
});

describe('app pages: router and usage (F24)', () => {
  it('one menu entry per section; a section added to SECTIONS gets a route', () => {
    const r = renderPages({ ...OPTIONS, 'GET /reports/conversations': 'pending' });
    expect(r.findAll(PageLink).map((l) => l.props.to)).toEqual(SECTIONS.filter((s) => s.path !== '/').map((s) => s.path));
    expect(r.findByTestId(Text, 'menu-current-dashboard').text).toBe('Dashboard');
  });

  it('usage: contacts and seats against the plan, a warning at 80%', async () => {
    const r = renderPages(
      { 'GET /usage': { status: 200, body: { period: { from: '2026-03-01', to: '2026-03-31' }, plan: { name: 'Starter', activeContacts: 1000, seats: null }, used: { activeContacts: 850, seats: 3 } } } },
      '/usage',
    );
    await r.waitFor(() => expect(r.findByTestId(ProgressBar, 'usage-contacts').props).toMatchObject({ value: 850, maxValue: 1000, valueDescription: '850 of 1000' }));
    expect(r.findByTestId(Text, 'usage-seats').text).toBe('Agent seats: 3 (unlimited)');
    expect(r.findByTestId(Alert, 'usage-alert').props.variant).toBe('warning');
  });

  it('usage: loading, then the error in words', async () => {
    const r = renderPages({ 'GET /usage': { status: 500, body: {} } }, '/usage');
    expect(r.findByTestId(LoadingSpinner, 'usage-loading')).toBeTruthy();
    await r.waitFor(() => expect(r.findByTestId(ErrorState, 'usage-error')).toBeTruthy());
    expect(r.find(Text, (t) => Boolean(t.text?.includes('answered with an error (500)')))).toBeTruthy();
  });
});

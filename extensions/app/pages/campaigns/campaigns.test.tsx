import { describe, expect, it } from 'vitest';
import { Button, Input, ProgressBar, Tag, Text, TextArea } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { CampaignsView } from './CampaignsView';
import { CampaignApiError, type Campaign, type CampaignsApi, type NewCampaign } from './types';

const counts = { total: 10, pending: 4, sent: 2, delivered: 3, read: 0, failed: 0, skipped: 1 };
const RUNNING: Campaign = { id: 7, name: 'Julio', status: 'running', templateName: 'promo', scheduledAt: null, startedAt: '2026-07-01T15:00:00Z', finishedAt: null, counts };

function fakeApi(over: Partial<CampaignsApi> = {}): CampaignsApi & { created: NewCampaign[] } {
  const created: NewCampaign[] = [];
  return {
    created,
    list: async () => [RUNNING],
    create: async (c) => {
      created.push(c);
      return { campaign: { ...RUNNING, id: 8, name: c.name }, warnings: [] };
    },
    action: async (id, a) => ({ ...RUNNING, id, status: a === 'pause' ? 'paused' : a === 'cancel' ? 'cancelled' : 'running' }),
    ...over,
  };
}

const textOf = (node: any): string => (node.nodeType === 'text' ? node.text ?? '' : (node.childNodes ?? []).map(textOf).join(' ').replace(/\s+/g, ' ').trim());
const fire = (node: { trigger: unknown }, event: string, arg?: unknown) => (node.trigger as (e: string, a?: unknown) => void)(event, arg);

describe('CampaignsView', () => {
  it('shows each campaign with its progress and results, and pauses it', async () => {
    const r = createRenderer('pages');
    r.render(<CampaignsView api={fakeApi()} phoneNumberId="106540352242922" pollMs={60_000} />);
    await r.waitFor(() => expect(r.maybeFindByTestId(Tag, 'status-7')).not.toBeNull());
    expect(textOf(r.findByTestId(Tag, 'status-7'))).toBe('running');
    expect(r.find(ProgressBar).props).toMatchObject({ value: 6, maxValue: 10 });
    expect(textOf(r.findByTestId(Text, 'counts-7'))).toBe('2 sent · 3 delivered · 0 read · 0 failed · 1 skipped');
    fire(r.findByTestId(Button, 'pause-7'), 'onClick');
    await r.waitFor(() => expect(textOf(r.findByTestId(Tag, 'status-7'))).toBe('paused'));
    expect(r.maybeFindByTestId(Button, 'resume-7')).not.toBeNull();
  });

  it('shows the rows the backend refused, and creates nothing', async () => {
    const api = fakeApi({
      create: async () => {
        throw new CampaignApiError('VALIDATION', '1 recipient row cannot be sent; nothing was created', { 'recipients.1.phone': '"abc" is not a valid phone number' });
      },
    });
    const r = createRenderer('pages');
    r.render(<CampaignsView api={api} phoneNumberId="106540352242922" pollMs={60_000} />);
    await r.waitFor(() => expect(r.maybeFindByTestId(Tag, 'status-7')).not.toBeNull());
    const inputs = r.findAll(Input);
    fire(inputs.find((i) => i.props.name === 'name')!, 'onChange', 'Agosto');
    fire(inputs.find((i) => i.props.name === 'templateName')!, 'onChange', 'promo');
    fire(inputs.find((i) => i.props.name === 'language')!, 'onChange', 'es');
    fire(r.find(TextArea), 'onChange', 'phone,name\n3001234567,Ana\nabc,Leo');
    fire(r.findByTestId(Button, 'create-campaign'), 'onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'campaign-problems')).not.toBeNull());
    expect(textOf(r.findByTestId(Text, 'campaign-problems'))).toContain('recipients.1.phone');
    expect(r.findAll(Tag)).toHaveLength(1);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { Alert, Button, Input, ProgressBar, Select, Tag, Text, TextArea } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { CampaignsView } from './CampaignsView';
import { CampaignApiError, type Audience, type Campaign, type CampaignsApi, type NewCampaign } from './types';

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
    prepareCsv: async () => ({ audience: audience({ status: 'awaiting_upload' }), upload: { url: 'https://api.test/upload/audience/tok.1.sig', expiresAt: '2026-07-01T15:10:00Z' } }),
    prepareList: async () => audience({ source: 'hubspot_list', status: 'loading' }),
    audience: async () => audience({ status: 'ready', total: 3, filename: 'julio.csv' }),
    searchLists: async () => [{ listId: '101', name: 'Clientes VIP', size: 264, processingType: 'MANUAL' }],
    ...over,
  };
}

const audience = (over: Partial<Audience> = {}): Audience => ({
  id: 5, source: 'csv', status: 'ready', total: 0, excluded: {}, listName: null, filename: null, progress: null, error: null, ...over,
});

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
    fire(r.findByTestId(Select, 'audience-mode'), 'onChange', 'paste');
    await r.waitFor(() => expect(r.maybeFind(TextArea)).not.toBeNull());
    fire(r.find(TextArea), 'onChange', 'phone,name\n3001234567,Ana\nabc,Leo');
    fire(r.findByTestId(Button, 'create-campaign'), 'onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'campaign-problems')).not.toBeNull());
    expect(textOf(r.findByTestId(Text, 'campaign-problems'))).toContain('recipients.1.phone');
    expect(r.findAll(Tag)).toHaveLength(1);
  });

  const fillTemplate = (r: ReturnType<typeof createRenderer>) => {
    const inputs = r.findAll(Input);
    fire(inputs.find((i) => i.props.name === 'name')!, 'onChange', 'Agosto');
    fire(inputs.find((i) => i.props.name === 'templateName')!, 'onChange', 'promo');
    fire(inputs.find((i) => i.props.name === 'language')!, 'onChange', 'es');
  };

  it('uploads a CSV through the iframe upload page, then creates the campaign with that audience', async () => {
    const api = fakeApi();
    const prepared: unknown[] = [];
    const prepareCsv = api.prepareCsv;
    api.prepareCsv = async (t) => (prepared.push(t), prepareCsv(t));
    const openIframeModal = vi.fn();
    const r = createRenderer('pages');
    r.render(<CampaignsView api={api} phoneNumberId="106540352242922" pollMs={60_000} openIframeModal={openIframeModal} />);
    await r.waitFor(() => expect(r.maybeFindByTestId(Tag, 'status-7')).not.toBeNull());
    expect(r.findByTestId(Button, 'upload-csv').props.disabled).toBe(true); // no template yet
    fillTemplate(r);
    expect(r.findByTestId(Button, 'create-campaign').props.disabled).toBe(true); // no recipients yet
    fire(r.findByTestId(Button, 'upload-csv'), 'onClick');
    await r.waitFor(() => expect(openIframeModal).toHaveBeenCalledTimes(1));
    expect(prepared).toEqual([{ phoneNumberId: '106540352242922', templateName: 'promo', language: 'es' }]);
    const [payload, onClose] = openIframeModal.mock.calls[0]!;
    expect(payload).toMatchObject({ uri: 'https://api.test/upload/audience/tok.1.sig', title: 'Upload the campaign recipients' });
    expect(textOf(r.findByTestId(Text, 'audience-status'))).toBe('No file was uploaded yet.');
    (onClose as () => void)(); // the upload page posted DONE: HubSpot closes the modal
    await r.waitFor(() => expect(textOf(r.findByTestId(Text, 'audience-status'))).toBe('3 recipients ready from julio.csv.'));
    fire(r.findByTestId(Button, 'create-campaign'), 'onClick');
    await r.waitFor(() => expect(api.created).toHaveLength(1));
    expect(api.created[0]).toMatchObject({ name: 'Agosto', templateName: 'promo', language: 'es', audienceId: 5 });
    expect(api.created[0]).not.toHaveProperty('csv');
  });

  it('says so when the page cannot open an iframe', async () => {
    const r = createRenderer('pages');
    r.render(<CampaignsView api={fakeApi()} phoneNumberId="106540352242922" pollMs={60_000} />);
    await r.waitFor(() => expect(r.maybeFindByTestId(Tag, 'status-7')).not.toBeNull());
    fillTemplate(r);
    fire(r.findByTestId(Button, 'upload-csv'), 'onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'audience-error')).not.toBeNull());
    expect(textOf(r.findByTestId(Alert, 'audience-error'))).toContain('paste the rows');
  });

  it('picks a HubSpot list, waits while the backend reads it, and shows who will be skipped', async () => {
    let polls = 0;
    const asked: unknown[] = [];
    const api = fakeApi({
      prepareList: async (t) => (asked.push(t), audience({ source: 'hubspot_list', status: 'loading', progress: { read: 100, total: 264 } })),
      audience: async () =>
        ++polls < 2
          ? audience({ source: 'hubspot_list', status: 'loading', progress: { read: 200, total: 264 } })
          : audience({ source: 'hubspot_list', status: 'ready', total: 264, listName: 'Clientes VIP', excluded: { NO_PHONE: 3 } }),
    });
    const r = createRenderer('pages');
    r.render(<CampaignsView api={api} phoneNumberId="106540352242922" pollMs={60_000} audiencePollMs={5} />);
    await r.waitFor(() => expect(r.maybeFindByTestId(Tag, 'status-7')).not.toBeNull());
    fillTemplate(r);
    fire(r.findByTestId(Select, 'audience-mode'), 'onChange', 'list');
    await r.waitFor(() => expect(r.maybeFindByTestId(Button, 'search-lists')).not.toBeNull());
    fire(r.findAll(Input).find((i) => i.props.name === 'listQuery')!, 'onChange', 'vip');
    fire(r.findByTestId(Button, 'search-lists'), 'onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Select, 'list-picker')).not.toBeNull());
    expect(r.findByTestId(Select, 'list-picker').props.options).toEqual([{ label: 'Clientes VIP (264 contacts)', value: '101' }]);
    fire(r.findAll(TextArea).find((t) => t.props.name === 'listValues')!, 'onChange', '{{firstname}}\nJUL10\n');
    fire(r.findByTestId(Button, 'read-list'), 'onClick');
    await r.waitFor(() => expect(textOf(r.findByTestId(Text, 'audience-status'))).toContain('Reading the HubSpot list'));
    expect(asked).toEqual([{ phoneNumberId: '106540352242922', templateName: 'promo', language: 'es', listId: '101', parameters: ['{{firstname}}', 'JUL10'] }]);
    await r.waitFor(() => expect(textOf(r.findByTestId(Text, 'audience-status'))).toBe('264 recipients ready from list "Clientes VIP" (3 without a phone will be skipped).'));
    expect(polls).toBe(2);
    fire(r.findByTestId(Button, 'create-campaign'), 'onClick');
    await r.waitFor(() => expect(api.created[0]).toMatchObject({ audienceId: 5 }));
  });
});

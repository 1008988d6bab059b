import { beforeEach, describe, expect, it, vi } from 'vitest';

const { fetchMock } = vi.hoisted(() => ({ fetchMock: vi.fn() }));
vi.mock('@hubspot/ui-extensions', async (orig) => {
  const m = await orig<typeof import('@hubspot/ui-extensions')>();
  return { ...m, hubspot: { ...m.hubspot, fetch: fetchMock } };
});

import {
  Alert,
  Button,
  ErrorState,
  Flex,
  Input,
  LoadingSpinner,
  MultiSelect,
  NumberInput,
  Select,
  Table,
  Tag,
  Text,
  TextArea,
  Tile,
  Toggle,
} from '@hubspot/ui-extensions';
import { apiError, createFakeBackend, deferred, ok, type FakeBackend, type FakeResponse } from '../cards/fakeBackend';
import {
  BASE,
  SETTINGS,
  defaultSettingsRoutes,
  fire,
  mountSettings,
  textOf,
} from './settingsTestSupport';
import type { Agent, Settings } from './types';

let backend: FakeBackend;
const CALLER = { portalId: '123', userId: '1' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

beforeEach(() => {
  backend = createFakeBackend();
  fetchMock.mockReset();
  fetchMock.mockImplementation(backend.fetch);
  defaultSettingsRoutes(backend);
});

async function ready() {
  const r = mountSettings();
  await r.waitFor(() => expect(r.maybeFindByTestId(Flex, 'settings-page')).not.toBeNull());
  return r;
}

function putBody(): Settings {
  return backend.last('PUT', '/api/v1/settings')!.body as unknown as Settings;
}

async function save(r: Awaited<ReturnType<typeof ready>>) {
  r.findByTestId(Button, 'save-settings').trigger('onClick');
  await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'settings-result')).not.toBeNull());
  return r.findByTestId(Alert, 'settings-result');
}

describe('loading and errors', () => {
  it('shows a spinner, then loads settings, numbers, agents, owners and me with the caller in the query', async () => {
    const d = deferred<FakeResponse>();
    backend.on('GET', '/api/v1/settings', () => d.promise);
    const r = mountSettings();
    expect(r.findByTestId(LoadingSpinner, 'settings-loading').props.label).toBe('Loading WhatsApp settings…');
    d.resolve(ok(SETTINGS));
    await r.waitFor(() => expect(r.maybeFindByTestId(Flex, 'settings-page')).not.toBeNull());
    for (const p of ['/api/v1/settings', '/api/v1/whatsapp-numbers', '/api/v1/agents', '/api/v1/owners', '/api/v1/me']) {
      const req = backend.last('GET', p)!;
      expect(req.origin).toBe(BASE);
      expect(req.query).toEqual(CALLER);
    }
  });

  it('shows an error state and retries', async () => {
    backend.on('GET', '/api/v1/agents', apiError(500, 'INTERNAL', 'Agents are unavailable.'));
    const r = mountSettings();
    await r.waitFor(() => expect(r.maybeFindByTestId(ErrorState, 'settings-error')).not.toBeNull());
    expect(r.findByTestId(ErrorState, 'settings-error').find(Text).text).toBe('Agents are unavailable.');
    backend.on('GET', '/api/v1/agents', ok({ agents: [] }));
    r.findByTestId(Button, 'settings-retry').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Flex, 'settings-page')).not.toBeNull());
    expect(r.findByTestId(Text, 'no-agents').text).toMatch(/No agents yet/);
  });

  it('is view-only for non-admins', async () => {
    backend.on('GET', '/api/v1/me', ok({ userId: 1, ownerId: null, agent: null, isAdmin: false }));
    const r = await ready();
    expect(r.findByTestId(Alert, 'read-only').props.title).toBe('View only');
    expect(r.findByTestId(Button, 'save-settings').props.disabled).toBe(true);
    expect(r.findByTestId(Button, 'connect-number').props.disabled).toBe(true);
    expect(r.findByTestId(Button, 'save-agents').props.disabled).toBe(true);
  });
});

describe('shows the current configuration', () => {
  it('renders every section with the loaded values', async () => {
    const r = await ready();
    const table = textOf(r.findByTestId(Table, 'numbers-table'));
    expect(table).toContain('Customer Support');
    expect(table).toContain('+57 300 0000002');
    expect(r.findByTestId(Text, 'consent-version').text).toBe('Current version: 3');
    expect(r.findByTestId(TextArea, 'consent-text-es').props.value).toBe(SETTINGS.consent.text.es);
    expect(r.findByTestId(Input, 'consent-policy-url').props.value).toBe('https://acme.co/privacidad');
    expect(r.findByTestId(Select, 'routing-method').props.value).toBe('round_robin');
    expect(r.findByTestId(Select, 'routing-number-2222222').props.value).toBe('contact_owner');
    expect(r.findByTestId(Select, 'routing-number-1098765').props.value).toBe('');
    expect(textOf(r.findByTestId(Tile, 'agent-9001'))).toContain('Ana Pérez');
    expect(r.findByTestId(Toggle, 'agent-available-9001').props.checked).toBe(true);
    expect(textOf(r.findByTestId(Tag, 'ooo-9001-0'))).toBe('2026-12-24 → 2026-12-31');
    expect(r.findByTestId(Select, 'owner-select').props.options).toEqual([
      { label: 'Carlos Ruiz (carlos@acme.co)', value: '9002' },
    ]);
    expect(r.findByTestId(Input, 'time-zone').props.value).toBe('America/Bogota');
    expect(r.findByTestId(Input, 'hours-fri-1-from').props.value).toBe('14:00');
    expect(textOf(r.findByTestId(Flex, 'day-sat'))).toContain('Closed');
    expect(textOf(r.findByTestId(Tag, 'holiday-0'))).toBe('2026-12-25');
    expect(textOf(r.findByTestId(Tag, 'label-1'))).toBe('Resolved by Premium');
    expect(r.findByTestId(Toggle, 'auto-close').props.checked).toBe(true);
    expect(r.findByTestId(NumberInput, 'window-alert-minutes').props.value).toBe(120);
    expect(r.findByTestId(Input, 'qr-title-0').props.value).toBe('Greeting');
    expect(r.findByTestId(Select, 'qr-number-0').props.value).toBe('__all__');
    expect(r.findByTestId(Input, 'opt-out-keywords').props.value).toBe('STOP, BAJA');
    expect(r.findByTestId(Input, 'opt-in-keywords').props.value).toBe('START');
  });
});

describe('numbers', () => {
  it('validates the connect form next to the fields without calling the backend', async () => {
    const r = await ready();
    fire(r.findByTestId(Input, 'number-phone-id'), 'onChange', '12ab');
    r.findByTestId(Button, 'connect-number').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(Input, 'number-label').props.validationMessage).toBeDefined());
    expect(r.findByTestId(Input, 'number-label').props.validationMessage).toBe('Required, e.g. Customer Support');
    expect(r.findByTestId(Input, 'number-phone-id').props.validationMessage).toMatch(/^Digits only/);
    expect(r.findByTestId(Input, 'number-waba-id').props.error).toBe(true);
    expect(r.findByTestId(Input, 'number-token').props.validationMessage).toMatch(/^Required/);
    expect(backend.calls('POST', '/api/v1/whatsapp-numbers')).toHaveLength(0);
  });

  it('connects a number: POST /whatsapp-numbers {phoneNumberId, wabaId, accessToken, label} and lists it', async () => {
    backend.on('POST', '/api/v1/whatsapp-numbers', (req) =>
      ok(
        {
          number: {
            phoneNumberId: req.body?.phoneNumberId,
            wabaId: req.body?.wabaId,
            label: req.body?.label,
            displayPhoneNumber: '+57 300 0000003',
            qualityRating: 'UNKNOWN',
          },
        },
        201,
      ),
    );
    const r = await ready();
    fire(r.findByTestId(Input, 'number-label'), 'onChange', ' Ventas ');
    fire(r.findByTestId(Input, 'number-phone-id'), 'onChange', '3333333');
    fire(r.findByTestId(Input, 'number-waba-id'), 'onChange', '555000');
    fire(r.findByTestId(Input, 'number-token'), 'onChange', 'EAAG-secret-token');
    await r.waitFor(() => expect(r.findByTestId(Input, 'number-token').props.value).toBe('EAAG-secret-token'));
    r.findByTestId(Button, 'connect-number').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'number-result')).not.toBeNull());
    const req = backend.last('POST', '/api/v1/whatsapp-numbers')!;
    expect(req.query).toEqual(CALLER);
    expect(req.body).toEqual({ label: 'Ventas', phoneNumberId: '3333333', wabaId: '555000', accessToken: 'EAAG-secret-token' });
    expect(req.idempotencyKey).toMatch(UUID);
    const a = r.findByTestId(Alert, 'number-result');
    expect(a.props.variant).toBe('success');
    expect(a.text).toBe('Connected “Ventas” (+57 300 0000003). Meta accepted the token.');
    expect(textOf(r.findByTestId(Table, 'numbers-table'))).toContain('Ventas');
    expect(r.findByTestId(Input, 'number-token').props.value).toBe('');
    // the new number can now get its own routing override
    expect(r.maybeFindByTestId(Select, 'routing-number-3333333')).not.toBeNull();
  });

  it('shows Meta rejecting the token next to the token field', async () => {
    backend.on(
      'POST',
      '/api/v1/whatsapp-numbers',
      apiError(422, 'VALIDATION', 'The number could not be verified with Meta.', {
        accessToken: 'Meta rejected this token: Invalid OAuth access token.',
      }),
    );
    const r = await ready();
    fire(r.findByTestId(Input, 'number-label'), 'onChange', 'Ventas');
    fire(r.findByTestId(Input, 'number-phone-id'), 'onChange', '3333333');
    fire(r.findByTestId(Input, 'number-waba-id'), 'onChange', '555000');
    fire(r.findByTestId(Input, 'number-token'), 'onChange', 'bad');
    await r.waitFor(() => expect(r.findByTestId(Input, 'number-token').props.value).toBe('bad'));
    r.findByTestId(Button, 'connect-number').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'number-result')).not.toBeNull());
    expect(r.findByTestId(Alert, 'number-result').props.variant).toBe('error');
    expect(r.findByTestId(Alert, 'number-result').text).toBe('The number could not be verified with Meta.');
    expect(r.findByTestId(Input, 'number-token').props.validationMessage).toBe(
      'Meta rejected this token: Invalid OAuth access token.',
    );
    expect(r.findByTestId(Input, 'number-label').props.value).toBe('Ventas'); // the rest of the form is kept
  });
});

describe('settings form', () => {
  it('consent: changing the text announces the next version; the saved response shows it', async () => {
    const r = await ready();
    fire(r.findByTestId(TextArea, 'consent-text-es'), 'onChange', 'Nuevo texto de autorización. ¿Aceptas?');
    await r.waitFor(() =>
      expect(r.findByTestId(Text, 'consent-version').text).toBe(
        'Current version: 3 · The text changed: saving creates version 4.',
      ),
    );
    const a = await save(r);
    expect(a.props.variant).toBe('success');
    expect(a.text).toBe('Consent text is now version 4.');
    const req = backend.last('PUT', '/api/v1/settings')!;
    expect(req.query).toEqual(CALLER);
    expect(req.idempotencyKey).toMatch(UUID);
    expect(putBody().consent).toEqual({ ...SETTINGS.consent, text: { ...SETTINGS.consent.text, es: 'Nuevo texto de autorización. ¿Aceptas?' } });
    expect(r.findByTestId(Text, 'consent-version').text).toBe('Current version: 4');
  });

  it('consent: a policy link must be https', async () => {
    const r = await ready();
    fire(r.findByTestId(Input, 'consent-policy-url'), 'onChange', 'http://acme.co/privacy');
    await r.waitFor(() =>
      expect(r.findByTestId(Input, 'consent-policy-url').props.validationMessage).toBe('Must be an https:// link'),
    );
    const a = await save(r);
    expect(a.props.variant).toBe('error');
    expect(a.text).toBe('Fix the 1 highlighted field before saving.');
    expect(backend.calls('PUT', '/api/v1/settings')).toHaveLength(0);
  });

  it('routing: default method and a per-number override are sent', async () => {
    const r = await ready();
    fire(r.findByTestId(Select, 'routing-method'), 'onChange', 'least_open');
    fire(r.findByTestId(Select, 'routing-number-1098765'), 'onChange', 'number_pool');
    fire(r.findByTestId(Select, 'routing-number-2222222'), 'onChange', '');
    await r.waitFor(() => expect(r.findByTestId(Select, 'routing-number-2222222').props.value).toBe(''));
    const a = await save(r);
    expect(a.text).toBe('Your changes are live.');
    expect(putBody().routing).toEqual({
      method: 'least_open',
      perNumber: { '1098765': 'number_pool' },
      lastAgentDays: 30,
      fallback: 'round_robin',
    });
  });

  it('routing: fallback method and the last-agent look-back are editable', async () => {
    const r = await ready();
    fire(r.findByTestId(Select, 'routing-fallback'), 'onChange', 'least_open');
    fire(r.findByTestId(NumberInput, 'routing-last-agent-days'), 'onChange', 0);
    await r.waitFor(() =>
      expect(r.findByTestId(NumberInput, 'routing-last-agent-days').props.validationMessage).toBe('Whole days between 1 and 365'),
    );
    expect(r.findByTestId(Select, 'routing-fallback').props.options.map((o) => o.value)).toEqual([
      'round_robin',
      'least_open',
      'number_pool',
    ]);
    fire(r.findByTestId(NumberInput, 'routing-last-agent-days'), 'onChange', 14);
    await r.waitFor(() => expect(r.findByTestId(NumberInput, 'routing-last-agent-days').props.value).toBe(14));
    await save(r);
    expect(putBody().routing).toMatchObject({ lastAgentDays: 14, fallback: 'least_open' });
  });

  it('business hours: a bad time is flagged next to the field and blocks saving; fixed hours are saved', async () => {
    const r = await ready();
    fire(r.findByTestId(Input, 'hours-mon-0-to'), 'onChange', '08:00');
    await r.waitFor(() =>
      expect(r.findByTestId(Input, 'hours-mon-0-to').props.validationMessage).toBe('Must be after 09:00'),
    );
    fire(r.findByTestId(Input, 'hours-tue-0-from'), 'onChange', '9am');
    await r.waitFor(() =>
      expect(r.findByTestId(Input, 'hours-tue-0-from').props.validationMessage).toBe('Use HH:MM, e.g. 09:00'),
    );
    let a = await save(r);
    expect(a.text).toBe('Fix the 2 highlighted fields before saving.');
    expect(backend.calls('PUT', '/api/v1/settings')).toHaveLength(0);

    fire(r.findByTestId(Input, 'hours-mon-0-to'), 'onChange', '17:30');
    fire(r.findByTestId(Input, 'hours-tue-0-from'), 'onChange', '08:30');
    r.findByTestId(Button, 'add-hours-sat').trigger('onClick'); // open Saturday 09:00–18:00
    await r.waitFor(() => expect(r.maybeFindByTestId(Input, 'hours-sat-0-from')).not.toBeNull());
    fire(r.findByTestId(Input, 'hours-sat-0-to'), 'onChange', '12:00');
    r.findByTestId(Button, 'remove-hours-fri-1').trigger('onClick');
    fire(r.findByTestId(Input, 'time-zone'), 'onChange', 'America/Mexico_City');
    await r.waitFor(() => expect(r.maybeFindByTestId(Input, 'hours-fri-1-from')).toBeNull());
    a = await save(r);
    expect(a.props.variant).toBe('success');
    const bh = putBody().businessHours;
    expect(bh.timeZone).toBe('America/Mexico_City');
    expect(bh.weekly.mon).toEqual([{ from: '09:00', to: '17:30' }]);
    expect(bh.weekly.tue).toEqual([{ from: '08:30', to: '18:00' }]);
    expect(bh.weekly.fri).toEqual([{ from: '09:00', to: '13:00' }]);
    expect(bh.weekly.sat).toEqual([{ from: '09:00', to: '12:00' }]);
    expect(bh.weekly.sun).toEqual([]);
  });

  it('business hours: unknown time zones, overlapping ranges and holidays', async () => {
    const r = await ready();
    fire(r.findByTestId(Input, 'time-zone'), 'onChange', 'Mars/Olympus');
    fire(r.findByTestId(Input, 'hours-fri-1-from'), 'onChange', '12:00');
    await r.waitFor(() =>
      expect(r.findByTestId(Input, 'time-zone').props.validationMessage).toBe('Not a known time zone (e.g. America/Bogota)'),
    );
    expect(r.findByTestId(Input, 'hours-fri-1-from').props.validationMessage).toBe('Overlaps the previous range (ends 13:00)');
    fire(r.findByTestId(Input, 'time-zone'), 'onChange', 'America/Bogota');
    fire(r.findByTestId(Input, 'hours-fri-1-from'), 'onChange', '14:00');

    fire(r.findByTestId(Input, 'new-holiday'), 'onChange', '2026-02-30');
    r.findByTestId(Button, 'add-holiday').trigger('onClick');
    await r.waitFor(() =>
      expect(r.findByTestId(Input, 'new-holiday').props.validationMessage).toBe('Use YYYY-MM-DD, e.g. 2026-12-25'),
    );
    fire(r.findByTestId(Input, 'new-holiday'), 'onChange', '2026-01-01');
    await r.waitFor(() => expect(r.findByTestId(Input, 'new-holiday').props.value).toBe('2026-01-01'));
    r.findByTestId(Button, 'add-holiday').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Tag, 'holiday-1')).not.toBeNull());
    const a = await save(r);
    expect(a.props.variant).toBe('success');
    expect(putBody().businessHours.holidays).toEqual(['2026-01-01', '2026-12-25']);
  });

  it('labels, end-of-day close and the urgency threshold', async () => {
    const r = await ready();
    fire(r.findByTestId(Input, 'new-label'), 'onChange', 'Resolved by Plus');
    await r.waitFor(() => expect(r.findByTestId(Input, 'new-label').props.value).toBe('Resolved by Plus'));
    r.findByTestId(Button, 'add-label').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Tag, 'label-2')).not.toBeNull());
    r.findByTestId(Button, 'remove-label-0').trigger('onClick');
    fire(r.findByTestId(Input, 'auto-close-at'), 'onChange', '19:00');
    fire(r.findByTestId(NumberInput, 'window-alert-minutes'), 'onChange', 90);
    await r.waitFor(() => expect(r.findByTestId(NumberInput, 'window-alert-minutes').props.value).toBe(90));
    await save(r);
    expect(putBody().resolutionLabels).toEqual(['Resolved by Premium', 'Resolved by Plus']);
    expect(putBody().autoClose).toEqual({ enabled: true, at: '19:00' });
    expect(putBody().windowAlertMinutes).toBe(90);
  });

  it('end-of-day close can be switched off; at least one resolution label is required', async () => {
    const r = await ready();
    fire(r.findByTestId(Toggle, 'auto-close'), 'onChange', false);
    await r.waitFor(() => expect(r.maybeFindByTestId(Input, 'auto-close-at')).toBeNull());
    r.findByTestId(Button, 'remove-label-1').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Tag, 'label-1')).toBeNull());
    r.findByTestId(Button, 'remove-label-0').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'labels-error')).not.toBeNull());
    expect(r.findByTestId(Text, 'labels-error').text).toBe('Add at least one label: resolving requires one');
    const a = await save(r);
    expect(a.props.variant).toBe('error');
    fire(r.findByTestId(Input, 'new-label'), 'onChange', 'Done');
    await r.waitFor(() => expect(r.findByTestId(Input, 'new-label').props.value).toBe('Done'));
    r.findByTestId(Button, 'add-label').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'labels-error')).toBeNull());
    await save(r);
    expect(putBody().autoClose).toEqual({ enabled: false });
    expect(putBody().resolutionLabels).toEqual(['Done']);
  });

  it('quick replies per number: add, edit, remove; title and text are required', async () => {
    const r = await ready();
    r.findByTestId(Button, 'add-quick-reply').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Input, 'qr-title-1')).not.toBeNull());
    expect(r.findByTestId(Input, 'qr-title-1').props.validationMessage).toBe('Required');
    fire(r.findByTestId(Select, 'qr-number-1'), 'onChange', '2222222');
    fire(r.findByTestId(Input, 'qr-title-1'), 'onChange', 'Renewal');
    fire(r.findByTestId(TextArea, 'qr-text-1'), 'onChange', 'Tu renovación está lista.');
    await r.waitFor(() => expect(r.findByTestId(Input, 'qr-title-1').props.validationMessage).toBeUndefined());
    fire(r.findByTestId(Input, 'qr-title-0'), 'onChange', 'Hello');
    await r.waitFor(() => expect(r.findByTestId(Input, 'qr-title-0').props.value).toBe('Hello'));
    await save(r);
    expect(putBody().quickReplies).toEqual([
      { id: 'qr1', phoneNumberId: null, title: 'Hello', text: 'Hola, gracias por escribirnos.' },
      { id: '', phoneNumberId: '2222222', title: 'Renewal', text: 'Tu renovación está lista.' },
    ]);
    r.findByTestId(Button, 'remove-qr-0').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Input, 'qr-title-1')).toBeNull());
    await r.waitFor(() => expect(r.findByTestId(Input, 'qr-title-0').props.value).toBe('Renewal'));
  });

  it('opt-out and opt-in keywords are parsed and may not overlap', async () => {
    const r = await ready();
    fire(r.findByTestId(Input, 'opt-out-keywords'), 'onChange', 'STOP, baja , Cancelar,,stop');
    fire(r.findByTestId(Input, 'opt-in-keywords'), 'onChange', 'START, cancelar');
    await r.waitFor(() =>
      expect(r.findByTestId(Input, 'opt-in-keywords').props.validationMessage).toBe('Also an opt-out keyword: cancelar'),
    );
    fire(r.findByTestId(Input, 'opt-in-keywords'), 'onChange', 'START, ALTA');
    await r.waitFor(() => expect(r.findByTestId(Input, 'opt-in-keywords').props.validationMessage).toBeUndefined());
    await save(r);
    expect(putBody().optOutKeywords).toEqual(['STOP', 'baja', 'Cancelar']);
    expect(putBody().optInKeywords).toEqual(['START', 'ALTA']);
  });

  it('shows backend VALIDATION details next to the field and the error on save', async () => {
    backend.on(
      'PUT',
      '/api/v1/settings',
      apiError(422, 'VALIDATION', 'Some settings are not valid.', { 'consent.policyUrl': 'The link did not answer (404).' }),
    );
    const r = await ready();
    fire(r.findByTestId(Input, 'consent-policy-url'), 'onChange', 'https://acme.co/missing');
    await r.waitFor(() => expect(r.findByTestId(Input, 'consent-policy-url').props.value).toBe('https://acme.co/missing'));
    const a = await save(r);
    expect(a.props.variant).toBe('error');
    expect(a.props.title).toBe('Settings not saved');
    expect(a.text).toBe('Some settings are not valid.');
    expect(r.findByTestId(Input, 'consent-policy-url').props.validationMessage).toBe('The link did not answer (404).');
    expect(r.findByTestId(Text, 'settings-result-details').text).toBe('consent.policyUrl: The link did not answer (404).');
  });

  it('shows FORBIDDEN from the backend', async () => {
    backend.on('PUT', '/api/v1/settings', apiError(403, 'FORBIDDEN', 'Only admins can change WhatsApp settings.'));
    const r = await ready();
    fire(r.findByTestId(Select, 'routing-method'), 'onChange', 'last_agent');
    await r.waitFor(() => expect(r.findByTestId(Select, 'routing-method').props.value).toBe('last_agent'));
    const a = await save(r);
    expect(a.text).toBe('Only admins can change WhatsApp settings.');
  });

  it('discard brings back the saved values', async () => {
    const r = await ready();
    fire(r.findByTestId(Select, 'routing-method'), 'onChange', 'last_agent');
    await r.waitFor(() => expect(r.findByTestId(Button, 'discard-settings').props.disabled).toBe(false));
    r.findByTestId(Button, 'discard-settings').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(Select, 'routing-method').props.value).toBe('round_robin'));
  });
});

describe('agents', () => {
  it('adds an owner as agent, sets away and an out-of-office period, and PUTs /agents {agents}', async () => {
    const r = await ready();
    fire(r.findByTestId(Select, 'owner-select'), 'onChange', '9002');
    await r.waitFor(() => expect(r.findByTestId(Button, 'add-agent').props.disabled).toBe(false));
    r.findByTestId(Button, 'add-agent').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Tile, 'agent-9002')).not.toBeNull());
    expect(r.findByTestId(Select, 'owner-select').props.options).toEqual([]);

    fire(r.findByTestId(Toggle, 'agent-available-9002'), 'onChange', false);
    fire(r.findByTestId(MultiSelect, 'agent-numbers-9002'), 'onChange', ['2222222']);
    fire(r.findByTestId(Input, 'ooo-from-9002'), 'onChange', '2026-04-10');
    fire(r.findByTestId(Input, 'ooo-to-9002'), 'onChange', '2026-04-01');
    await r.waitFor(() => expect(r.findByTestId(Input, 'ooo-to-9002').props.value).toBe('2026-04-01'));
    r.findByTestId(Button, 'add-ooo-9002').trigger('onClick');
    await r.waitFor(() =>
      expect(r.findByTestId(Input, 'ooo-from-9002').props.validationMessage).toBe('The end must be on or after the start'),
    );
    fire(r.findByTestId(Input, 'ooo-to-9002'), 'onChange', '2026-04-20');
    await r.waitFor(() => expect(r.findByTestId(Input, 'ooo-to-9002').props.value).toBe('2026-04-20'));
    r.findByTestId(Button, 'add-ooo-9002').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Tag, 'ooo-9002-0')).not.toBeNull());
    r.findByTestId(Button, 'remove-ooo-9001-0').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Tag, 'ooo-9001-0')).toBeNull());

    r.findByTestId(Button, 'save-agents').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'agents-result')).not.toBeNull());
    const req = backend.last('PUT', '/api/v1/agents')!;
    expect(req.query).toEqual(CALLER);
    expect(req.idempotencyKey).toMatch(UUID);
    expect(req.body).toEqual({
      agents: [
        { agentId: 'ag_1', ownerId: '9001', userId: 11, email: 'ana@acme.co', name: 'Ana Pérez', active: true, available: true, outOfOffice: [] },
        {
          ownerId: '9002',
          userId: 12,
          email: 'carlos@acme.co',
          name: 'Carlos Ruiz',
          active: true,
          available: false,
          outOfOffice: [{ from: '2026-04-10', to: '2026-04-20' }],
          numberIds: ['2222222'],
        },
      ] satisfies Agent[],
    });
    expect(r.findByTestId(Alert, 'agents-result').text).toBe('Agents saved (2 active).');
  });

  it('deactivates and removes agents; shows a backend error', async () => {
    backend.on('PUT', '/api/v1/agents', apiError(403, 'FORBIDDEN', 'Only admins can change agents.'));
    const r = await ready();
    fire(r.findByTestId(Toggle, 'agent-active-9001'), 'onChange', false);
    await r.waitFor(() => expect(r.findByTestId(Toggle, 'agent-active-9001').props.checked).toBe(false));
    r.findByTestId(Button, 'save-agents').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'agents-result')).not.toBeNull());
    expect((backend.last('PUT', '/api/v1/agents')!.body?.agents as Agent[])[0].active).toBe(false);
    expect(r.findByTestId(Alert, 'agents-result').props.variant).toBe('error');
    expect(r.findByTestId(Alert, 'agents-result').text).toBe('Only admins can change agents.');

    r.findByTestId(Button, 'remove-agent-9001').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Tile, 'agent-9001')).toBeNull());
    expect(r.findByTestId(Text, 'no-agents').text).toMatch(/No agents yet/);
  });
});

import { beforeEach, describe, expect, it, vi } from 'vitest';

const { fetchMock } = vi.hoisted(() => ({ fetchMock: vi.fn() }));
vi.mock('@hubspot/ui-extensions', async (orig) => {
  const m = await orig<typeof import('@hubspot/ui-extensions')>();
  return { ...m, hubspot: { ...m.hubspot, fetch: fetchMock } };
});

import { Alert, Button, Flex, Input, NumberInput, Select, Text, TextArea, Toggle } from '@hubspot/ui-extensions';
import { createFakeBackend, type FakeBackend } from '../cards/fakeBackend';
import { defaultSettingsRoutes, fire, mountSettings, NUMBERS } from './settingsTestSupport';
import type { Settings } from './types';

let backend: FakeBackend;
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
async function save(r: Awaited<ReturnType<typeof ready>>): Promise<Settings> {
  r.findByTestId(Button, 'save-settings').trigger('onClick');
  await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'settings-result')).not.toBeNull());
  return backend.last('PUT', '/api/v1/settings')!.body as unknown as Settings;
}

describe('settings: reminders and bot flow (issue 15)', () => {
  it('saves the reminder and the out-of-hours notice templates', async () => {
    const r = await ready();
    fire(r.findByTestId(Toggle, 'reminder-enabled'), 'onChange', true);
    fire(r.findByTestId(NumberInput, 'reminder-minutes'), 'onChange', 720);
    fire(r.findByTestId(Input, 'reminder-template'), 'onChange', 'seguimiento');
    fire(r.findByTestId(Input, 'reminder-language'), 'onChange', 'es');
    fire(r.findByTestId(Toggle, 'notice-enabled'), 'onChange', true);
    fire(r.findByTestId(Input, 'notice-template'), 'onChange', 'fuera_de_horario');
    fire(r.findByTestId(Input, 'notice-language'), 'onChange', 'es');
    const body = await save(r);
    expect(body.reminder).toEqual({ enabled: true, afterMinutes: 720, templateName: 'seguimiento', language: 'es' });
    expect(body.outOfHoursNotice).toEqual({ enabled: true, templateName: 'fuera_de_horario', language: 'es' });
  });

  it('an admin picks an included bot flow, edits a text and a menu route, and saves it', async () => {
    const r = await ready();
    fire(r.findByTestId(Button, 'bot-flow-template-menu_and_email'), 'onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(TextArea, 'bot-step-0-text-es')).not.toBeNull());
    fire(r.findByTestId(TextArea, 'bot-step-0-text-es'), 'onChange', '¡Hola! Soy el asistente de Acme.');
    fire(r.findByTestId(Select, 'bot-step-1-option-0-route'), 'onChange', `number:${NUMBERS[1]!.phoneNumberId}`);
    fire(r.findByTestId(Input, 'bot-step-1-option-1-title'), 'onChange', 'Ayuda');
    const body = await save(r);
    expect(body.botFlow?.enabled).toBe(true);
    expect(body.botFlow?.template).toBe('menu_and_email');
    expect(body.botFlow?.steps[0]).toMatchObject({ type: 'greeting', text: { es: '¡Hola! Soy el asistente de Acme.' } });
    const menu = body.botFlow!.steps[1] as Extract<NonNullable<Settings['botFlow']>['steps'][number], { type: 'menu' }>;
    expect(menu.options.map((o) => [o.title.es, o.route])).toEqual([
      ['Ventas', { to: 'number', phoneNumberId: NUMBERS[1]!.phoneNumberId }],
      ['Ayuda', { to: 'pool' }],
    ]);
    expect(body.botFlow!.steps[2]).toMatchObject({ type: 'collect', field: 'email', property: 'email' });
  });

  it('a menu of more than three options is a list; options can be added and removed; a custom property gets a label', async () => {
    const r = await ready();
    fire(r.findByTestId(Button, 'bot-flow-template-menu_and_email'), 'onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'bot-step-1-menu-kind')).not.toBeNull());
    expect(r.findByTestId(Text, 'bot-step-1-menu-kind').text).toMatch(/2 options: sent as reply buttons/);
    for (let k = 0; k < 2; k++) fire(r.findByTestId(Button, 'bot-step-1-add-option'), 'onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Input, 'bot-step-1-option-3-title')).not.toBeNull());
    expect(r.findByTestId(Text, 'bot-step-1-menu-kind').text).toMatch(/4 options: sent as a list the customer opens/);
    fire(r.findByTestId(Input, 'bot-step-1-option-2-title'), 'onChange', 'Facturación');
    fire(r.findByTestId(Input, 'bot-step-1-option-2-title-en'), 'onChange', 'Billing');
    fire(r.findByTestId(Input, 'bot-step-1-option-3-title'), 'onChange', 'Envíos');
    fire(r.findByTestId(Input, 'bot-step-1-option-3-title-en'), 'onChange', 'Shipping');
    fire(r.findByTestId(Button, 'bot-step-1-option-0-remove'), 'onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Input, 'bot-step-1-option-3-title')).toBeNull());

    // The email step now fills a custom property: its label appears (and goes away for a standard one).
    expect(r.maybeFindByTestId(Input, 'bot-step-2-property-label')).toBeNull();
    fire(r.findByTestId(Input, 'bot-step-2-property'), 'onChange', 'correo_facturacion');
    await r.waitFor(() => expect(r.maybeFindByTestId(Input, 'bot-step-2-property-label')).not.toBeNull());
    fire(r.findByTestId(Input, 'bot-step-2-property-label'), 'onChange', 'Correo de facturación');
    const body = await save(r);
    const menu = body.botFlow!.steps[1] as Extract<NonNullable<Settings['botFlow']>['steps'][number], { type: 'menu' }>;
    expect(menu.options.map((o) => [o.title.es, o.title.en])).toEqual([
      ['Soporte', 'Support'],
      ['Facturación', 'Billing'],
      ['Envíos', 'Shipping'],
    ]);
    expect(body.botFlow!.steps[2]).toMatchObject({ type: 'collect', property: 'correo_facturacion', propertyLabel: 'Correo de facturación' });
  });

  it('the included list flow has five options and an order number in a custom property', async () => {
    const r = await ready();
    fire(r.findByTestId(Button, 'bot-flow-template-teams_list_and_order'), 'onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'bot-step-1-menu-kind')).not.toBeNull());
    expect(r.findByTestId(Text, 'bot-step-1-menu-kind').text).toMatch(/5 options: sent as a list/);
    expect(r.findByTestId(Input, 'bot-step-2-property-label').props.value).toBe('Número de pedido');
    const body = await save(r);
    expect(body.botFlow!.steps[2]).toMatchObject({ field: 'order_number', property: 'numero_pedido', propertyLabel: 'Número de pedido' });
  });
});

import { describe, expect, it, vi } from 'vitest';
import { Alert, Button, Input, StatusTag, Table, Tag, Text, TextArea } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { MessagePreview } from './MessagePreview';
import { buildComponents } from './TemplateForm';
import { TemplatesPage } from './TemplatesPage';
import { TemplatesApiError, type TemplateInput, type TemplatesApi, type TemplateView } from './types';

const fire = (node: { trigger: unknown }, event: string, arg?: unknown) => (node.trigger as (e: string, a?: unknown) => void)(event, arg);

const approved: TemplateView = {
  name: 'envio_pedido',
  language: 'es',
  category: 'UTILITY',
  status: 'APPROVED',
  review: null,
  header: { format: 'TEXT', text: 'Pedido {{1}}' },
  body: 'Hola {{1}}, tu pedido llega el {{2}}.',
  footer: 'Acme SAS',
  buttons: [{ type: 'QUICK_REPLY', text: 'Gracias' }],
};
const rejected: TemplateView = {
  ...approved,
  name: 'promo_clientes',
  category: 'UTILITY',
  status: 'REJECTED',
  review: { reason: 'Your template is promotional but was submitted as UTILITY.', recommendation: 'Submit promotional content in the MARKETING category.' },
};

function fakeApi(over: Partial<TemplatesApi> = {}): TemplatesApi & { created: TemplateInput[]; deleted: string[] } {
  const created: TemplateInput[] = [];
  const deleted: string[] = [];
  let list = [approved, rejected];
  return {
    created,
    deleted,
    listNumbers: async () => [{ phoneNumberId: '1098765', label: 'Soporte', displayPhoneNumber: '+57 300 0000001' }],
    listTemplates: async () => list,
    createTemplate: async (input) => {
      created.push(input);
      const t = { ...approved, name: input.name, status: 'PENDING' };
      list = [...list, t];
      return t;
    },
    deleteTemplate: async (_pn, name) => {
      deleted.push(name);
      list = list.filter((t) => t.name !== name);
    },
    ...over,
  };
}

async function mount(api: TemplatesApi) {
  const r = createRenderer('crm.record.tab');
  r.render(<TemplatesPage api={api} />);
  await r.waitFor(() => expect(r.maybeFindByTestId(Table, 'templates-table')).not.toBeNull());
  return r;
}

describe('Templates page', () => {
  it('lists every template with its status and Meta\'s reason for a rejection', async () => {
    const r = await mount(fakeApi());
    expect(r.findByTestId(StatusTag, 'status-envio_pedido-es').text).toBe('Approved');
    expect(r.findByTestId(StatusTag, 'status-promo_clientes-es').props.variant).toBe('danger');
    expect(r.findByTestId(Text, 'reason-promo_clientes-es').text).toMatch(/promotional/);
    expect(r.findByTestId(Text, 'recommendation-promo_clientes-es').text).toMatch(/MARKETING/);
  });

  it('creates a template with a live preview as the customer will see it, sending Meta\'s component shape', async () => {
    const api = fakeApi();
    const r = await mount(api);
    fire(r.findByTestId(Input, 'tpl-name'), 'onChange', 'cita_recordatorio');
    fire(r.findByTestId(Input, 'tpl-header'), 'onChange', 'Tu cita');
    fire(r.findByTestId(TextArea, 'tpl-body'), 'onChange', 'Hola {{1}}, te esperamos el {{2}} en la sede.');
    await r.waitFor(() => expect(r.maybeFindByTestId(Input, 'tpl-example-1')).not.toBeNull());
    expect(r.findByTestId(Text, 'tpl-preview-body').text).toBe('Hola [1], te esperamos el [2] en la sede.');
    fire(r.findByTestId(Input, 'tpl-example-0'), 'onChange', 'Ana');
    fire(r.findByTestId(Input, 'tpl-example-1'), 'onChange', 'martes');
    fire(r.findByTestId(Input, 'tpl-footer'), 'onChange', 'Clínica Acme');
    fire(r.findByTestId(Button, 'tpl-add-button'), 'onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Input, 'tpl-button-0-text')).not.toBeNull());
    fire(r.findByTestId(Input, 'tpl-button-0-text'), 'onChange', 'Confirmo');
    await r.waitFor(() => expect(r.findByTestId(Text, 'tpl-preview-body').text).toBe('Hola Ana, te esperamos el martes en la sede.'));
    expect(r.findByTestId(Text, 'tpl-preview-header').text).toBe('Tu cita');
    expect(r.findByTestId(Text, 'tpl-preview-footer').text).toBe('Clínica Acme');
    expect(r.findByTestId(Tag, 'tpl-preview-button-0').text).toContain('Confirmo');

    fire(r.findByTestId(Button, 'tpl-submit'), 'onClick');
    await r.waitFor(() => expect(api.created).toHaveLength(1));
    expect(api.created[0]).toEqual({
      phoneNumberId: '1098765',
      name: 'cita_recordatorio',
      language: 'es',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Tu cita' },
        { type: 'BODY', text: 'Hola {{1}}, te esperamos el {{2}} en la sede.', example: { body_text: [['Ana', 'martes']] } },
        { type: 'FOOTER', text: 'Clínica Acme' },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Confirmo' }] },
      ],
    });
    await r.waitFor(() => expect(r.findByTestId(Alert, 'templates-notice').text).toMatch(/sent to Meta for review/));
  });

  it('shows the lint\'s refusal next to the field it names', async () => {
    const api = fakeApi({
      createTemplate: vi.fn(async () => {
        throw new TemplatesApiError('TEMPLATE_LINT', 'The template breaks Meta\'s rules', { 'components.0.text': 'The text must not start with a variable' });
      }),
    });
    const r = await mount(api);
    fire(r.findByTestId(Input, 'tpl-name'), 'onChange', 'mal_formato');
    fire(r.findByTestId(TextArea, 'tpl-body'), 'onChange', '{{1}} hola');
    await r.waitFor(() => expect(r.findByTestId(Button, 'tpl-submit').props.disabled).toBe(false));
    fire(r.findByTestId(Button, 'tpl-submit'), 'onClick');
    await r.waitFor(() => expect(r.findByTestId(TextArea, 'tpl-body').props.validationMessage).toBe('The text must not start with a variable'));
    expect(r.findByTestId(Alert, 'tpl-error').text).toMatch(/Meta would refuse it/);
  });

  it('deletes after a confirmation', async () => {
    const api = fakeApi();
    const r = await mount(api);
    fire(r.findByTestId(Button, 'delete-envio_pedido-es'), 'onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Button, 'confirm-delete-envio_pedido-es')).not.toBeNull());
    fire(r.findByTestId(Button, 'confirm-delete-envio_pedido-es'), 'onClick');
    await r.waitFor(() => expect(api.deleted).toEqual(['envio_pedido']));
    await r.waitFor(() => expect(r.maybeFindByTestId(StatusTag, 'status-envio_pedido-es')).toBeNull());
  });

  it('the preview shows media headers and unfilled values', () => {
    const r = createRenderer('crm.record.tab');
    r.render(<MessagePreview content={{ header: { format: 'IMAGE', text: null }, body: 'Hola {{1}}', footer: null, buttons: [] }} />);
    expect(r.findByTestId(Text, 'message-preview-media').text).toContain('Image');
    expect(r.findByTestId(Text, 'message-preview-body').text).toBe('Hola [1]');
  });

  it('maps each component path back to its form field', () => {
    const { fieldOf } = buildComponents({ name: 'x', language: 'es', category: 'UTILITY', headerText: '', headerExample: '', body: 'Hola {{1}} y más', examples: ['a'], footer: '', buttons: [] });
    expect(fieldOf['components.0.text']).toBe('body');
    expect(fieldOf['components.0.example.0']).toBe('example-0');
  });
});

import { describe, expect, it, vi } from 'vitest';
import { Alert, Button, Input, Select, StatusTag, Table, Tag, Text, TextArea } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { MessagePreview } from './MessagePreview';
import { buildComponents } from './TemplateForm';
import { TemplatesPage } from './TemplatesPage';
import { TemplatesApiError, type SampleView, type TemplateInput, type TemplatesApi, type TemplateView } from './types';

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

function fakeApi(over: Partial<TemplatesApi> = {}): TemplatesApi & { created: TemplateInput[]; deleted: string[]; samples: Map<string, SampleView> } {
  const created: TemplateInput[] = [];
  const deleted: string[] = [];
  const samples = new Map<string, SampleView>();
  let list = [approved, rejected];
  return {
    created,
    deleted,
    samples,
    createSampleLink: async (_pn, format) => {
      const sample: SampleView = { id: `s${samples.size + 1}`, format, state: 'waiting', filename: null, mimeType: null, sizeBytes: null };
      samples.set(sample.id, sample);
      return { sample, url: `https://api.test/template-sample/${sample.id}.1900000000000.sig`, expiresAt: '2030-01-01T00:00:00.000Z' };
    },
    getSample: async (id) => samples.get(id)!,
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
    const media = buildComponents({ name: 'x', language: 'es', category: 'UTILITY', headerFormat: 'VIDEO', headerText: 'ignored', headerExample: '', body: 'Hola {{1}} y más', examples: ['a'], footer: '', buttons: [] });
    expect(media.components[0]).toEqual({ type: 'HEADER', format: 'VIDEO' });
    expect([media.fieldOf['components.0'], media.fieldOf.headerSampleId, media.fieldOf['components.1.text']]).toEqual(['header', 'header', 'body']);
  });

  it('a media header: the example file goes through the upload page in HubSpot\'s iframe modal, then the template carries it', async () => {
    const api = fakeApi();
    const getSample = vi.fn(api.getSample);
    api.getSample = getSample;
    const openIframeModal = vi.fn();
    const r = createRenderer('crm.record.tab');
    r.render(<TemplatesPage api={api} actions={{ openIframeModal }} />);
    await r.waitFor(() => expect(r.maybeFindByTestId(Table, 'templates-table')).not.toBeNull());
    fire(r.findByTestId(Input, 'tpl-name'), 'onChange', 'catalogo_temporada');
    fire(r.findByTestId(TextArea, 'tpl-body'), 'onChange', 'Hola {{1}}, ya llegó el catálogo de la temporada.');
    await r.waitFor(() => expect(r.maybeFindByTestId(Input, 'tpl-example-0')).not.toBeNull());
    fire(r.findByTestId(Input, 'tpl-example-0'), 'onChange', 'Ana');
    fire(r.findByTestId(Select, 'tpl-header-format'), 'onChange', 'IMAGE');
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'tpl-header-sample')).not.toBeNull());
    expect(r.maybeFindByTestId(Input, 'tpl-header')).toBeNull();
    expect(r.findByTestId(Text, 'tpl-header-sample').text).toMatch(/Meta needs an example image/);
    expect(r.findByTestId(Text, 'tpl-preview-media').text).toContain('Image');
    // No example file yet: nothing can be submitted.
    expect(r.findByTestId(Button, 'tpl-submit').props.disabled).toBe(true);

    fire(r.findByTestId(Button, 'tpl-header-upload'), 'onClick');
    await r.waitFor(() => expect(openIframeModal).toHaveBeenCalledTimes(1));
    const [payload, onClose] = openIframeModal.mock.calls[0]!;
    expect(payload).toMatchObject({ uri: 'https://api.test/template-sample/s1.1900000000000.sig', title: 'Example image for the template' });
    // Closed without uploading: the page asks, and still has nothing.
    (onClose as () => void)();
    await r.waitFor(() => expect(getSample).toHaveBeenCalledTimes(1));
    await getSample.mock.results[0]!.value;
    expect(r.findByTestId(Text, 'tpl-header-sample').text).toMatch(/Meta needs an example image/);
    // The admin uploads on the page (the backend records it), the modal closes.
    api.samples.set('s1', { id: 's1', format: 'IMAGE', state: 'uploaded', filename: 'catalogo.png', mimeType: 'image/png', sizeBytes: 48_213 });
    (onClose as () => void)();
    await r.waitFor(() => expect(r.findByTestId(Text, 'tpl-header-sample').text).toBe('Example image: catalogo.png (47 KB)'));
    expect(r.findByTestId(Text, 'tpl-preview-media').text).toBe('🖼 Image · catalogo.png');
    expect(r.findByTestId(Button, 'tpl-header-upload').text).toBe('Upload another file');

    fire(r.findByTestId(Button, 'tpl-submit'), 'onClick');
    await r.waitFor(() => expect(api.created).toHaveLength(1));
    expect(api.created[0]).toEqual({
      phoneNumberId: '1098765',
      name: 'catalogo_temporada',
      language: 'es',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'IMAGE' },
        { type: 'BODY', text: 'Hola {{1}}, ya llegó el catálogo de la temporada.', example: { body_text: [['Ana']] } },
      ],
      headerSampleId: 's1',
    });
  });

  it('a media header refused by the backend shows at the header; without the iframe modal the page says why it cannot upload', async () => {
    const api = fakeApi({
      createTemplate: vi.fn(async () => {
        throw new TemplatesApiError('VALIDATION', 'headerSampleId: the example file has not been uploaded yet', { headerSampleId: 'Upload the example file again' });
      }),
    });
    const openIframeModal = vi.fn();
    const r = createRenderer('crm.record.tab');
    r.render(<TemplatesPage api={api} actions={{ openIframeModal }} />);
    await r.waitFor(() => expect(r.maybeFindByTestId(Table, 'templates-table')).not.toBeNull());
    fire(r.findByTestId(Input, 'tpl-name'), 'onChange', 'manual_pdf');
    fire(r.findByTestId(TextArea, 'tpl-body'), 'onChange', 'Aquí tienes el manual de tu equipo nuevo.');
    fire(r.findByTestId(Select, 'tpl-header-format'), 'onChange', 'DOCUMENT');
    await r.waitFor(() => expect(r.maybeFindByTestId(Button, 'tpl-header-upload')).not.toBeNull());
    fire(r.findByTestId(Button, 'tpl-header-upload'), 'onClick');
    await r.waitFor(() => expect(openIframeModal).toHaveBeenCalledTimes(1));
    api.samples.set('s1', { id: 's1', format: 'DOCUMENT', state: 'uploaded', filename: 'manual.pdf', mimeType: 'application/pdf', sizeBytes: 900 });
    (openIframeModal.mock.calls[0]![1] as () => void)();
    await r.waitFor(() => expect(r.findByTestId(Button, 'tpl-submit').props.disabled).toBe(false));
    fire(r.findByTestId(Button, 'tpl-submit'), 'onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'tpl-header-error')).not.toBeNull());
    expect(r.findByTestId(Text, 'tpl-header-error').text).toBe('Upload the example file again');

    const bare = createRenderer('crm.record.tab');
    bare.render(<TemplatesPage api={fakeApi()} />);
    await bare.waitFor(() => expect(bare.maybeFindByTestId(Table, 'templates-table')).not.toBeNull());
    fire(bare.findByTestId(Select, 'tpl-header-format'), 'onChange', 'VIDEO');
    await bare.waitFor(() => expect(bare.maybeFindByTestId(Button, 'tpl-header-upload')).not.toBeNull());
    fire(bare.findByTestId(Button, 'tpl-header-upload'), 'onClick');
    await bare.waitFor(() => expect(bare.findByTestId(Alert, 'tpl-error').text).toMatch(/needs HubSpot’s iframe modal/));
  });
});

import { describe, expect, it } from 'vitest';
import { Tag, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { TemplatePreview } from './TemplatePreview';
import type { Template } from './types';

const t: Template = {
  name: 'envio_pedido',
  language: 'es',
  header: { format: 'TEXT', text: 'Pedido {{1}}' },
  body: 'Hola {{1}}, tu pedido llega el {{2}}.',
  footer: 'Acme SAS',
  buttons: [{ type: 'QUICK_REPLY', text: 'Gracias' }],
  placeholders: [
    { component: 'header', index: 1, example: '#1' },
    { component: 'body', index: 1, example: 'Ana' },
    { component: 'body', index: 2, example: 'martes' },
  ],
};

describe('TemplatePreview (card)', () => {
  it('shows the message as the customer will see it, with the rep\'s values filled in', () => {
    const r = createRenderer('crm.record.tab');
    r.render(<TemplatePreview template={t} values={['#4521', 'Luis', '']} />);
    expect(r.findByTestId(Text, 'template-preview-header').text).toBe('Pedido #4521');
    expect(r.findByTestId(Text, 'template-preview-body').text).toBe('Hola Luis, tu pedido llega el {{2}}.');
    expect(r.findByTestId(Text, 'template-preview-footer').text).toBe('Acme SAS');
    expect(r.findByTestId(Tag, 'template-preview-button-0').text).toBe('Gracias');
    expect(r.findByTestId(Text, 'template-preview-missing').text).toBe('1 value still to fill in.');
  });

  it('a media header shows as its kind and nothing is missing once all values are in', () => {
    const r = createRenderer('crm.record.tab');
    r.render(<TemplatePreview template={{ ...t, header: { format: 'IMAGE', text: null }, placeholders: t.placeholders.slice(1) }} values={['Luis', 'lunes']} />);
    expect(r.findByTestId(Text, 'template-preview-media').text).toBe('[image]');
    expect(r.findByTestId(Text, 'template-preview-body').text).toBe('Hola Luis, tu pedido llega el lunes.');
    expect(r.maybeFindByTestId(Text, 'template-preview-missing')).toBeNull();
  });
});

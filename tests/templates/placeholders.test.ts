import { AppError } from '../../src/errors.js';
import { buildTemplateComponents, checkTemplateParameters, placeholdersOf, renderTemplateText, type TemplateDefinition } from '../../src/templates/index.js';

const promo: TemplateDefinition = {
  name: 'seasonal_promotion',
  language: 'es_CO',
  parameter_format: 'POSITIONAL',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Nuestra {{1}} comenzó', example: { header_text: ['Venta de verano'] } },
    { type: 'BODY', text: 'Compra hasta {{1}} con el código {{2}} y obtén {{3}} de descuento.', example: { body_text: [['fin de agosto', '25OFF', '25%']] } },
    { type: 'FOOTER', text: 'Responde STOP para no recibir promociones' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Dejar de recibir promos' },
        { type: 'URL', text: 'Ver tienda', url: 'https://example.com/s/{{1}}', example: ['https://example.com/s/verano'] },
      ],
    },
  ],
};

const named: TemplateDefinition = {
  name: 'order_confirmation',
  language: 'en_US',
  parameter_format: 'NAMED',
  components: [
    {
      type: 'BODY',
      text: 'Thank you, {{first_name}}! Your order number is {{order_number}}.',
      example: { body_text_named_params: [{ param_name: 'first_name', example: 'Pablo' }, { param_name: 'order_number', example: '860198-230332' }] },
    },
  ],
};

describe('template placeholders', () => {
  it('lists header, body and URL-button placeholders in send order with their examples', () => {
    expect(placeholdersOf(promo.components)).toEqual([
      { component: 'header', index: 1, example: 'Venta de verano' },
      { component: 'body', index: 1, example: 'fin de agosto' },
      { component: 'body', index: 2, example: '25OFF' },
      { component: 'body', index: 3, example: '25%' },
      { component: 'button', index: 1, buttonIndex: 1, example: 'https://example.com/s/verano' },
    ]);
    expect(placeholdersOf(named.components)).toEqual([
      { component: 'body', index: 1, name: 'first_name', example: 'Pablo' },
      { component: 'body', index: 2, name: 'order_number', example: '860198-230332' },
    ]);
  });

  it('builds Graph components from the definition: named parameters, percent-encoded URL values, quick-reply payloads', () => {
    const params = ['Venta', 'agosto', 'X1', '10%', 'Gonçalves'];
    expect(buildTemplateComponents(promo, params, { buttonPayloads: ['stop_promos'] })).toEqual([
      { type: 'header', parameters: [{ type: 'text', text: 'Venta' }] },
      { type: 'body', parameters: [{ type: 'text', text: 'agosto' }, { type: 'text', text: 'X1' }, { type: 'text', text: '10%' }] },
      { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'Gon%C3%A7alves' }] },
      { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'stop_promos' }] },
    ]);
    expect(buildTemplateComponents(named, ['Ana', '77'])).toEqual([
      { type: 'body', parameters: [{ type: 'text', text: 'Ana', parameter_name: 'first_name' }, { type: 'text', text: '77', parameter_name: 'order_number' }] },
    ]);
  });

  it('requires the header media of a media-header template', () => {
    const t: TemplateDefinition = { ...named, parameter_format: 'POSITIONAL', components: [{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'Hi' }] };
    expect(() => buildTemplateComponents(t, [])).toThrow(AppError);
    expect(buildTemplateComponents(t, [], { headerMedia: { type: 'image', mediaId: '123' } })).toEqual([{ type: 'header', parameters: [{ type: 'image', image: { id: '123' } }] }]);
  });

  it('renders the text the rep sees', () => {
    expect(renderTemplateText(named, ['Ana', '77'])).toBe('Thank you, Ana! Your order number is 77.');
    expect(renderTemplateText(promo, ['Venta', 'agosto', 'X1', '10%', 'x'])).toBe(
      'Nuestra Venta comenzó\nCompra hasta agosto con el código X1 y obtén 10% de descuento.\nResponde STOP para no recibir promociones',
    );
  });

  it('checks count and values: TEMPLATE_PARAMS with details per parameter', () => {
    expect(() => checkTemplateParameters(named, ['a', 'b'])).not.toThrow();
    const cases: Array<[string[], Record<string, string>]> = [
      [['a'], { parameters: 'template order_confirmation (en_US) needs 2 parameters, got 1' }],
      [['a', ''], { 'parameters.1': 'must not be empty' }],
      [['a\nb', 'c'], { 'parameters.0': 'must not contain line breaks' }],
      [['a', 'b\tc'], { 'parameters.1': 'must not contain tabs' }],
      [['a     b', 'c'], { 'parameters.0': 'must not contain more than 4 consecutive spaces' }],
    ];
    for (const [params, details] of cases) {
      try {
        checkTemplateParameters(named, params);
        throw new Error('expected TEMPLATE_PARAMS');
      } catch (err) {
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe('TEMPLATE_PARAMS');
        expect((err as AppError).status).toBe(422);
        expect((err as AppError).details).toEqual(details);
      }
    }
  });
});

import { AppError } from '../../src/errors.js';
import { assertTemplateLint, lintTemplate, type TemplateDraft } from '../../src/templates/lint.js';

/** The §11.2 example of the notes: passes every rule. */
const good = (): TemplateDraft => ({
  name: 'seasonal_promotion',
  language: 'es_CO',
  category: 'MARKETING',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Nuestra {{1}} comenzó', example: { header_text: ['Venta de verano'] } },
    { type: 'BODY', text: 'Compra hasta {{1}} con el código {{2}} y obtén {{3}} de descuento.', example: { body_text: [['fin de agosto', '25OFF', '25%']] } },
    { type: 'FOOTER', text: 'Responde STOP para no recibir promociones' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Dejar de recibir promos' },
        { type: 'URL', text: 'Ver tienda', url: 'https://example.com/s/{{1}}', example: ['https://example.com/s/verano'] },
        { type: 'PHONE_NUMBER', text: 'Llamar', phone_number: '+573001234567' },
      ],
    },
  ],
});

type Edit = (d: TemplateDraft) => void;
const comp = (d: TemplateDraft, i: number) => d.components[i] as Record<string, any>;
const body = (text: string, examples?: string[]): Edit => (d) => {
  comp(d, 1).text = text;
  comp(d, 1).example = examples ? { body_text: [examples] } : undefined;
};
const buttons = (...bs: Record<string, unknown>[]): Edit => (d) => void (comp(d, 3).buttons = bs);
const qr = (text: string) => ({ type: 'QUICK_REPLY', text });
const url = { type: 'URL', text: 'Ver', url: 'https://example.com/{{1}}', example: ['https://example.com/a'] };
const phone = { type: 'PHONE_NUMBER', text: 'Llamar', phone_number: '+573001234567' };

function problems(edit: Edit, blocked?: Set<string>): Record<string, string> {
  const d = good();
  edit(d);
  return lintTemplate(d, blocked);
}

/** [rule, failing edit, field it is reported on, passing edit] */
const rules: Array<[string, Edit, string, Edit]> = [
  ['name pattern', (d) => void (d.name = 'Seasonal Promo'), 'name', (d) => void (d.name = 'seasonal_promo_2')],
  ['name length', (d) => void (d.name = 'a'.repeat(513)), 'name', (d) => void (d.name = 'a'.repeat(512))],
  ['language code', (d) => void (d.language = 'spanish'), 'language', (d) => void (d.language = 'en_US')],
  ['category', (d) => void (d.category = 'PROMO'), 'category', (d) => void (d.category = 'UTILITY')],
  ['body required', (d) => void d.components.splice(1, 1), 'components', () => {}],
  ['body length', body(`Hola {{1}}, ${'x'.repeat(1020)}`, ['Ana']), 'components.1.text', body(`Hola {{1}}, ${'x'.repeat(1000)}`, ['Ana'])],
  ['header length', (d) => void (comp(d, 0).text = `Nuestra {{1}} ${'x'.repeat(50)}`), 'components.0.text', (d) => void (comp(d, 0).text = `Nuestra {{1}} ${'x'.repeat(40)}`)],
  ['footer length', (d) => void (comp(d, 2).text = 'x'.repeat(61)), 'components.2.text', (d) => void (comp(d, 2).text = 'x'.repeat(60))],
  ['button label length', buttons(qr('x'.repeat(26))), 'components.3.buttons.0.text', buttons(qr('x'.repeat(25)))],
  ['variable at the start', body('{{1}}, tu pedido está listo para recoger.', ['Ana']), 'components.1.text', body('Hola {{1}}, tu pedido está listo para recoger.', ['Ana'])],
  ['variable at the end', body('Tu pedido está listo para recoger, {{1}}', ['Ana']), 'components.1.text', body('Tu pedido está listo para recoger, {{1}}.', ['Ana'])],
  ['adjacent variables', body('Hola, tu pedido {{1}}{{2}} está listo para recoger.', ['A', 'B']), 'components.1.text', body('Hola, tu pedido {{1}} de {{2}} está listo para recoger.', ['A', 'B'])],
  ['non-sequential variables', body('Hola {{1}}, tu pedido {{3}} está listo para recoger.', ['A', 'B']), 'components.1.text', body('Hola {{1}}, tu pedido {{2}} está listo para recoger.', ['A', 'B'])],
  ['mismatched braces', body('Hola {{1}, tu pedido está listo para recoger.', ['A']), 'components.1.text', body('Hola {{1}}, tu pedido está listo para recoger.', ['A'])],
  ['#, $ or % in a variable', body('Hola {{#1}}, tu pedido está listo para recoger.', ['A']), 'components.1.text', body('Hola {{1}}, tu pedido está listo para recoger.', ['A'])],
  ['too many variables for the text', body('Hola {{1}} y {{2}} y {{3}}.', ['A', 'B', 'C']), 'components.1.text', body('Hola {{1}}, tu pedido {{2}} sale hoy hacia {{3}}.', ['A', 'B', 'C'])],
  ['missing body examples', body('Hola {{1}}, tu pedido está listo para recoger.'), 'components.1.example', body('Hola {{1}}, tu pedido está listo para recoger.', ['Ana'])],
  ['too few body examples', body('Hola {{1}}, tu pedido {{2}} está listo para recoger.', ['Ana']), 'components.1.example', body('Hola {{1}}, tu pedido {{2}} está listo para recoger.', ['Ana', '#12'])],
  ['empty example', body('Hola {{1}}, tu pedido está listo para recoger.', ['  ']), 'components.1.example.0', body('Hola {{1}}, tu pedido está listo para recoger.', ['Ana'])],
  ['missing header example', (d) => void (comp(d, 0).example = undefined), 'components.0.example', (d) => void (comp(d, 0).text = 'Nuestra venta comenzó', (comp(d, 0).example = undefined))],
  ['two header variables', (d) => void ((comp(d, 0).text = 'Nuestra {{1}} de {{2}}'), (comp(d, 0).example = { header_text: ['a', 'b'] })), 'components.0.text', () => {}],
  ['emoji in the header', (d) => void (comp(d, 0).text = 'Nuestra {{1}} comenzó 🎉'), 'components.0.text', (d) => void (comp(d, 0).text = 'Nuestra {{1}} comenzó!')],
  ['newline in the header', (d) => void (comp(d, 0).text = 'Nuestra {{1}}\ncomenzó'), 'components.0.text', () => {}],
  ['newline in the footer', (d) => void (comp(d, 2).text = 'Responde STOP\npara salir'), 'components.2.text', (d) => void (comp(d, 2).text = 'Responde STOP para salir')],
  ['emoji in a button', buttons(qr('Sí 👍')), 'components.3.buttons.0.text', buttons(qr('Sí'))],
  ['more than one space in a row', body('Hola {{1}},  tu pedido está listo para recoger.', ['Ana']), 'components.1.text', body('Hola {{1}}, tu pedido está listo para recoger.', ['Ana'])],
  ['variable in the footer', (d) => void (comp(d, 2).text = 'Hola {{1}}'), 'components.2.text', () => {}],
  ['media header without a sample', (d) => void (d.components[0] = { type: 'HEADER', format: 'IMAGE' }), 'components.0.example', (d) => void (d.components[0] = { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2U='] } })],
  ['reused rejected or deleted name', () => {}, 'name', (d) => void (d.name = 'seasonal_promotion_v2')],
  ['too many buttons', buttons(...Array.from({ length: 11 }, (_, i) => qr(`Opción ${i}`))), 'components.3.buttons', buttons(...Array.from({ length: 10 }, (_, i) => qr(`Opción ${i}`)))],
  ['more than two URL buttons', buttons(url, url, url), 'components.3.buttons', buttons(url, url)],
  ['more than one phone button', buttons(phone, phone), 'components.3.buttons', buttons(phone, url)],
  ['quick replies not grouped', buttons(qr('Sí'), url, qr('No')), 'components.3.buttons', buttons(qr('Sí'), qr('No'), url)],
  ['URL variable not at the end', buttons({ ...url, url: 'https://example.com/{{1}}/track' }), 'components.3.buttons.0.url', buttons(url)],
  ['URL with two variables', buttons({ ...url, url: 'https://example.com/{{1}}?x={{2}}' }), 'components.3.buttons.0.url', buttons(url)],
  ['URL variable without an example', buttons({ ...url, example: undefined }), 'components.3.buttons.0.example', buttons({ ...url, url: 'https://example.com/shop', example: undefined })],
  ['phone number format', buttons({ ...phone, phone_number: 'call us' }), 'components.3.buttons.0.phone_number', buttons(phone)],
  ['components in order', (d) => void d.components.reverse(), 'components', () => {}],
];

describe('template lint (notes §11 local checks)', () => {
  it('passes the notes example', () => {
    expect(lintTemplate(good())).toEqual({});
  });

  it.each(rules)('%s: refused on its field, and a fixed version passes', (rule, fail, field, pass) => {
    const blocked = rule.startsWith('reused') ? new Set(['seasonal_promotion']) : undefined;
    const bad = problems(fail, blocked);
    expect(Object.keys(bad)).toContain(field);
    expect(bad[field]).toEqual(expect.any(String));
    expect(problems(pass, blocked)).toEqual({});
  });

  it('named parameters need their named examples', () => {
    const d: TemplateDraft = {
      name: 'order_confirmation',
      language: 'en_US',
      category: 'UTILITY',
      parameter_format: 'named',
      components: [{ type: 'BODY', text: 'Thank you, {{first_name}}! Your order number is {{order_number}}.', example: { body_text_named_params: [{ param_name: 'first_name', example: 'Pablo' }] } }],
    };
    expect(lintTemplate(d)).toEqual({ 'components.0.example': expect.stringContaining('{{order_number}}') });
    (d.components[0] as any).example.body_text_named_params.push({ param_name: 'order_number', example: '860198' });
    expect(lintTemplate(d)).toEqual({});
  });

  it('throws 422 TEMPLATE_LINT with details keyed by field path', () => {
    const d = good();
    comp(d, 1).text = '{{1}} hola, tu pedido está listo.';
    try {
      assertTemplateLint(d);
      throw new Error('expected a lint error');
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ status: 422, code: 'TEMPLATE_LINT', details: { 'components.1.text': 'The text must not start with a variable' } });
    }
  });
});

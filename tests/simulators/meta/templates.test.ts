// Template management (list/paging, create, review webhook, delete, name reuse) and template sends (132000 …).
import { afterEach, describe, expect, it } from '@jest/globals';
import { CUSTOMER, harness, NUMBER, OTHER_NUMBER, type Harness, type Json } from './helpers.js';

const WABA = NUMBER.wabaId;
const PNID = NUMBER.phoneNumberId;
const TEMPLATES = `/v24.0/${WABA}/message_templates`;
const SEND = `/v24.0/${PNID}/messages`;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const isTemplateHook = (r: { json: Json }): boolean => r.json.entry?.[0]?.changes?.[0]?.field === 'message_template_status_update';
const hookValue = (r: { json: Json }): Json => r.json.entry[0].changes[0].value as Json;

const seasonal: Json = {
  name: 'seasonal_promotion',
  language: 'es_CO',
  category: 'MARKETING',
  parameter_format: 'positional',
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

const sendSeasonal = (components: Json[]): Json => ({
  messaging_product: 'whatsapp',
  to: `+${CUSTOMER}`,
  type: 'template',
  template: { name: 'seasonal_promotion', language: { code: 'es_CO' }, components },
});
const text = (t: string): Json => ({ type: 'text', text: t });
const fullComponents = (): Json[] => [
  { type: 'header', parameters: [text('Venta de verano')] },
  { type: 'body', parameters: [text('agosto'), text('25OFF'), text('25%')] },
  { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'stop_promos' }] },
  { type: 'button', sub_type: 'url', index: '1', parameters: [text('verano')] },
];

describe('GET /{waba-id}/message_templates', () => {
  it('pages with limit, paging.cursors.after and paging.next until every template was seen once', async () => {
    let t = Date.UTC(2026, 0, 1);
    h = await harness({ now: () => t, seedHelloWorld: false });
    for (let i = 0; i < 7; i++) {
      t += 1000;
      h.sim.seedTemplate({ wabaId: WABA, name: `tpl_${i}`, language: 'es', components: [{ type: 'BODY', text: `Mensaje ${i}` }] });
    }
    h.sim.seedTemplate({ wabaId: OTHER_NUMBER.wabaId, name: 'not_mine', language: 'es', components: [{ type: 'BODY', text: 'x' }] });

    const seen: string[] = [];
    let next: string | undefined = `${TEMPLATES}?limit=3`;
    let pages = 0;
    while (next) {
      const res = await h.graph('GET', next);
      expect(res.status).toBe(200);
      pages++;
      expect(res.json.data.length).toBeLessThanOrEqual(3);
      seen.push(...(res.json.data as Json[]).map((d) => String(d.name)));
      expect(typeof res.json.paging.cursors.after).toBe('string');
      next = res.json.paging.next as string | undefined;
      if (pages === 1) {
        // the cursor alone works the same way as paging.next
        const viaCursor = await h.graph('GET', `${TEMPLATES}?limit=3&after=${String(res.json.paging.cursors.after)}`);
        expect((viaCursor.json.data as Json[]).map((d) => d.name)).toEqual(['tpl_3', 'tpl_2', 'tpl_1']);
      }
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['tpl_6', 'tpl_5', 'tpl_4', 'tpl_3', 'tpl_2', 'tpl_1', 'tpl_0']); // newest first, no duplicates
  });

  it('default fields, `fields`, filters, and unknown fields', async () => {
    h = await harness();
    h.sim.seedTemplate({ wabaId: WABA, name: 'consent_request', language: 'es_CO', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hola {{1}}, ¿aceptas?' }] });
    h.sim.seedTemplate({ wabaId: WABA, name: 'old_promo', language: 'es', category: 'MARKETING', status: 'REJECTED', components: [{ type: 'BODY', text: 'x' }] });
    const all = await h.graph('GET', TEMPLATES);
    expect((all.json.data as Json[]).map((d) => d.name).sort()).toEqual(['consent_request', 'hello_world', 'old_promo']);
    expect(Object.keys(all.json.data[0]).sort()).toEqual(['category', 'components', 'id', 'language', 'name', 'parameter_format', 'status']);

    const some = await h.graph('GET', `${TEMPLATES}?fields=name,status&status=APPROVED&category=UTILITY`);
    expect(some.json.data).toEqual([{ name: 'consent_request', status: 'APPROVED', id: expect.any(String) }]);
    const byName = await h.graph('GET', `${TEMPLATES}?name=old_promo`);
    expect(byName.json.data).toHaveLength(1);

    const bad = await h.graph('GET', `${TEMPLATES}?fields=name,secret`);
    expect([bad.status, bad.json.error.code]).toEqual([400, 100]);
    const other = await h.graph('GET', TEMPLATES, undefined, OTHER_NUMBER.accessToken);
    expect([other.status, other.json.error.error_subcode]).toEqual([400, 33]);
  });
});

describe('POST /{waba-id}/message_templates', () => {
  it('creates a PENDING template, then approves it with a signed webhook; it can then be sent', async () => {
    // The review lasts long enough that the "still in review" checks below hold on a loaded machine.
    h = await harness({ templateReviewMs: 1500 });
    const res = await h.graph('POST', TEMPLATES, seasonal);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: expect.stringMatching(/^\d+$/), status: 'PENDING', category: 'MARKETING' });
    const id = String(res.json.id);

    // still in review: not sendable (132001)
    const early = await h.graph('POST', SEND, sendSeasonal(fullComponents()));
    expect([early.status, early.json.error.code]).toEqual([400, 132001]);
    expect((await h.graph('GET', `/v24.0/${id}?fields=status`)).json).toEqual({ status: 'PENDING', id });

    const hook = await h.receiver.waitFor(isTemplateHook);
    expect(hook.signatureValid).toBe(true);
    expect(hookValue(hook)).toEqual({
      event: 'APPROVED',
      message_template_id: Number(id),
      message_template_name: 'seasonal_promotion',
      message_template_language: 'es-CO',
      reason: 'NONE',
      message_template_category: 'MARKETING',
    });
    expect((await h.graph('GET', `/v24.0/${id}`)).json.status).toBe('APPROVED');

    const sent = await h.graph('POST', SEND, sendSeasonal(fullComponents()));
    expect(sent.status).toBe(200);
    expect(sent.json.messages[0].message_status).toBe('accepted');
    const msg = h.sim.state.messages.get(String(sent.json.messages[0].id));
    expect(msg?.text).toBe('Compra hasta agosto con el código 25OFF y obtén 25% de descuento.');
  });

  it("names starting with reject_ (and bodies with adjacent placeholders) are REJECTED with Meta's rejection_info", async () => {
    h = await harness();
    await h.graph('POST', TEMPLATES, { name: 'reject_me', language: 'en', category: 'UTILITY', components: [{ type: 'BODY', text: 'Your code is ready.' }] });
    const hook = await h.receiver.waitFor(isTemplateHook);
    expect(hookValue(hook)).toMatchObject({ event: 'REJECTED', reason: 'INVALID_FORMAT', message_template_name: 'reject_me', message_template_language: 'en' });
    expect(hookValue(hook).rejection_info).toEqual({ reason: expect.any(String), recommendation: expect.any(String) });
    const [tpl] = (await h.graph('GET', `${TEMPLATES}?name=reject_me&fields=status,rejected_reason`)).json.data as Json[];
    expect(tpl).toMatchObject({ status: 'REJECTED', rejected_reason: 'INVALID_FORMAT' });

    // a rejected template keeps its name: creating it again fails (it can be edited instead)
    const again = await h.graph('POST', TEMPLATES, { name: 'reject_me', language: 'en', category: 'UTILITY', components: [{ type: 'BODY', text: 'Other text.' }] });
    expect([again.status, again.json.error.code, again.json.error.error_subcode]).toEqual([400, 100, 2388024]);
  });

  it("validates like Meta's synchronous checks", async () => {
    h = await harness();
    const body = (over: Json): Json => ({ name: 'ok_name', language: 'en_US', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hello there.' }], ...over });
    const cases: Array<[Json, number | undefined]> = [
      [body({ name: 'Bad-Name' }), undefined],
      [body({ name: 'x'.repeat(513) }), undefined],
      [body({ category: 'PROMO' }), undefined],
      [body({ language: 'en-US' }), undefined],
      [body({ components: [] }), undefined],
      [body({ components: [{ type: 'FOOTER', text: 'only a footer' }] }), 2388072],
      [body({ components: [{ type: 'BODY', text: '{{1}} starts with a variable', example: { body_text: [['a']] } }] }), 2388299],
      [body({ components: [{ type: 'BODY', text: 'Hi {{1}} and {{3}}.', example: { body_text: [['a', 'b']] } }] }), 2388072],
      [body({ components: [{ type: 'BODY', text: 'Hi {{1}}, welcome.' }] }), 2388043],
      [body({ components: [{ type: 'BODY', text: 'x'.repeat(1025) }] }), 2388040],
      [body({ components: [{ type: 'HEADER', format: 'TEXT', text: 'h'.repeat(61) }, { type: 'BODY', text: 'ok' }] }), 2388040],
      [body({ components: [{ type: 'BODY', text: 'ok' }, { type: 'FOOTER', text: 'Footer {{1}}' }] }), 2388073],
      [
        body({
          components: [
            { type: 'BODY', text: 'ok' },
            { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'a' }, { type: 'URL', text: 'b', url: 'https://x.co' }, { type: 'QUICK_REPLY', text: 'c' }] },
          ],
        }),
        undefined,
      ],
    ];
    for (const [b, subcode] of cases) {
      const res = await h.graph('POST', TEMPLATES, b);
      expect([res.status, res.json.error?.code, res.json.error?.error_subcode]).toEqual([400, 100, subcode]);
    }
    expect((await h.graph('POST', TEMPLATES, body({}))).status).toBe(200);
  });

  it('a deleted name can not be reused for the same language for 30 days (2388023)', async () => {
    let t = Date.UTC(2026, 0, 1);
    h = await harness({ now: () => t });
    const tpl = { name: 'order_update', language: 'es', category: 'UTILITY', components: [{ type: 'BODY', text: 'Tu pedido va en camino.' }] };
    expect((await h.graph('POST', TEMPLATES, tpl)).status).toBe(200);
    expect(await h.graph('DELETE', `${TEMPLATES}?name=order_update`)).toEqual({ status: 200, json: { success: true } });
    const reuse = await h.graph('POST', TEMPLATES, tpl);
    expect([reuse.status, reuse.json.error.error_subcode]).toEqual([400, 2388023]);
    expect((await h.graph('POST', TEMPLATES, { ...tpl, language: 'en' })).status).toBe(200);
    t += 31 * 24 * 3600 * 1000;
    expect((await h.graph('POST', TEMPLATES, tpl)).status).toBe(200);
    const missing = await h.graph('DELETE', `${TEMPLATES}?name=never_existed`);
    expect(missing.status).toBe(400);
  });
});

describe('template sends', () => {
  const seed = (hh: Harness): void => {
    hh.sim.seedTemplate({ wabaId: WABA, name: seasonal.name as string, language: 'es_CO', category: 'MARKETING', components: seasonal.components as never });
  };

  it('parameter count mismatch → 132000 "Number of parameters does not match the expected number of params"', async () => {
    h = await harness();
    seed(h);
    const comps = fullComponents();
    comps[1] = { type: 'body', parameters: [text('agosto'), text('25OFF')] };
    const res = await h.graph('POST', SEND, sendSeasonal(comps));
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({
      message: '(#132000) Number of parameters does not match the expected number of params',
      type: 'OAuthException',
      code: 132000,
      error_data: { messaging_product: 'whatsapp', details: 'body: number of localizable_params (2) does not match the expected number of params (3)' },
    });
    const noHeader = await h.graph('POST', SEND, sendSeasonal(fullComponents().slice(1)));
    expect(noHeader.json.error.code).toBe(132000);
    const extra = fullComponents();
    extra[1] = { type: 'body', parameters: [text('a'), text('b'), text('c'), text('d')] };
    expect((await h.graph('POST', SEND, sendSeasonal(extra))).json.error.code).toBe(132000);
  });

  it('unknown template or language → 132001; URL button without its parameter → 131008; media header mismatch → 132012', async () => {
    h = await harness();
    seed(h);
    const wrongLang = await h.graph('POST', SEND, { ...sendSeasonal(fullComponents()), template: { name: 'seasonal_promotion', language: { code: 'es' }, components: fullComponents() } });
    expect([wrongLang.status, wrongLang.json.error.code]).toEqual([400, 132001]);
    const unknown = await h.graph('POST', SEND, { ...sendSeasonal([]), template: { name: 'nope', language: { code: 'es_CO' } } });
    expect(unknown.json.error).toMatchObject({ code: 132001, message: '(#132001) Template name does not exist in the translation' });

    expect((await h.graph('POST', SEND, sendSeasonal(fullComponents().slice(0, 3)))).json.error.code).toBe(131008);

    h.sim.seedTemplate({ wabaId: WABA, name: 'receipt', language: 'en', components: [{ type: 'HEADER', format: 'DOCUMENT' }, { type: 'BODY', text: 'Your receipt.' }] });
    const receipt = (header?: Json): Json => ({
      messaging_product: 'whatsapp',
      to: `+${CUSTOMER}`,
      type: 'template',
      template: { name: 'receipt', language: { code: 'en' }, components: header ? [{ type: 'header', parameters: [header] }] : [] },
    });
    expect((await h.graph('POST', SEND, receipt())).json.error.code).toBe(132012);
    expect((await h.graph('POST', SEND, receipt(text('oops')))).json.error.code).toBe(132012);
    expect((await h.graph('POST', SEND, receipt({ type: 'document', document: { link: 'https://example.com/r.pdf', filename: 'r.pdf' } }))).status).toBe(200);
  });

  it('named parameters must match the template names', async () => {
    h = await harness();
    h.sim.seedTemplate({
      wabaId: WABA,
      name: 'order_confirmation',
      language: 'en_US',
      parameterFormat: 'NAMED',
      components: [{ type: 'BODY', text: 'Thank you, {{first_name}}! Your order number is {{order_number}}.' }],
    });
    const send = (params: Json[]): Promise<{ status: number; json: Json }> =>
      h!.graph('POST', SEND, {
        messaging_product: 'whatsapp',
        to: `+${CUSTOMER}`,
        type: 'template',
        template: { name: 'order_confirmation', language: { code: 'en_US' }, components: [{ type: 'body', parameters: params }] },
      });
    const ok = await send([
      { type: 'text', parameter_name: 'order_number', text: '860198-230332' },
      { type: 'text', parameter_name: 'first_name', text: 'Pablo' },
    ]);
    expect(ok.status).toBe(200);
    expect(h.sim.state.messages.get(String(ok.json.messages[0].id))?.text).toBe('Thank you, Pablo! Your order number is 860198-230332.');
    const bad = await send([
      { type: 'text', parameter_name: 'name', text: 'Pablo' },
      { type: 'text', parameter_name: 'order_number', text: '1' },
    ]);
    expect(bad.json.error.code).toBe(132000);
  });

  it('paused and disabled templates → 132015 / 132016, announced by webhook', async () => {
    h = await harness();
    const t = h.sim.seedTemplate({ wabaId: WABA, name: 'weekly', language: 'es', category: 'MARKETING', components: [{ type: 'BODY', text: 'Novedades' }] });
    const send = () => h!.graph('POST', SEND, { messaging_product: 'whatsapp', to: `+${CUSTOMER}`, type: 'template', template: { name: 'weekly', language: { code: 'es' } } });
    expect((await send()).status).toBe(200);
    await h.sim.setTemplateStatus(t.id, 'PAUSED', { otherInfo: { title: 'FIRST_PAUSE', description: 'Paused for low quality' } });
    expect(hookValue(await h.receiver.waitFor(isTemplateHook))).toMatchObject({ event: 'PAUSED', other_info: { title: 'FIRST_PAUSE' } });
    expect((await send()).json.error.code).toBe(132015);
    await h.sim.setTemplateStatus(t.id, 'DISABLED');
    expect((await send()).json.error.code).toBe(132016);
  });
});

describe('subscribed_apps', () => {
  it('POST subscribes the app, GET lists it', async () => {
    h = await harness();
    expect((await h.graph('GET', `/v24.0/${WABA}/subscribed_apps`)).json).toEqual({ data: [] });
    expect(await h.graph('POST', `/v24.0/${WABA}/subscribed_apps`)).toEqual({ status: 200, json: { success: true } });
    const list = await h.graph('GET', `/v24.0/${WABA}/subscribed_apps`);
    expect(list.json.data).toEqual([{ whatsapp_business_api_data: { link: expect.any(String), name: expect.any(String), id: expect.any(String) } }]);
  });
});

// POST /{phone-number-id}/messages: Meta's own send examples, validation, token errors and rate limits.
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createMetaSimulator, type TemplateComponent } from '../../../simulators/meta/index.js';
import {
  APP_SECRET,
  CUSTOMER,
  harness,
  NUMBER,
  OTHER_NUMBER,
  sendMessageExamples,
  statusesOf,
  textSend,
  type Harness,
  type Json,
} from './helpers.js';

const PNID = NUMBER.phoneNumberId;
const SEND = `/v24.0/${PNID}/messages`;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Builds the template definition a template send in Meta's examples was written for (header/body/buttons). */
function templateFor(t: Json): TemplateComponent[] {
  const comps: TemplateComponent[] = [];
  const buttons: Array<Record<string, unknown>> = [];
  let bodyVars = 0;
  let named: string[] = [];
  for (const c of (t.components ?? []) as Json[]) {
    const params = (c.parameters ?? []) as Json[];
    if (c.type === 'header') {
      const p = params[0];
      comps.push(p.type === 'text' ? { type: 'HEADER', format: 'TEXT', text: 'Hi {{1}}' } : { type: 'HEADER', format: String(p.type).toUpperCase() });
    } else if (c.type === 'body') {
      bodyVars = params.length;
      named = params.map((p) => p.parameter_name as string).filter(Boolean);
    } else if (c.type === 'button') {
      const sub = String(c.sub_type).toUpperCase();
      buttons[Number(c.index)] = sub === 'URL' ? { type: 'URL', text: 'Open', url: 'https://example.com/{{1}}' } : { type: sub, text: `Button ${String(c.index)}` };
    }
  }
  const vars = named.length ? named.map((n) => `{{${n}}}`) : Array.from({ length: bodyVars }, (_, i) => `{{${i + 1}}}`);
  comps.push({ type: 'BODY', text: `Hello ${vars.join(' and ')} thanks.` });
  if (buttons.length) comps.push({ type: 'BUTTONS', buttons });
  return comps;
}

describe("Meta's OpenAPI send examples (business-messaging-api_v23.0.yaml, operationId sendMessage, line 12614)", () => {
  const examples = sendMessageExamples();

  it('reads all 50 request examples from the spec', () => {
    expect(examples).toHaveLength(50);
  });

  it('accepts every example (ids and recipients filled in), like Meta', async () => {
    // 50 sends to one customer within a second would (rightly) hit the pair rate limit: lift it here.
    h = await harness({ pairRateLimit: { max: 1000, windowMs: 6000 } });
    const sim = h.sim;
    // open the customer service window and upload one media object per kind for the "by ID" examples
    const inbound = await sim.customer.sendText({ from: CUSTOMER, to: PNID, text: 'hi' });
    const upload = async (type: string, bytes: Buffer): Promise<string> => {
      const res = await request(h!.url).post(`/v24.0/${PNID}/media`).set('Authorization', `Bearer ${NUMBER.accessToken}`)
        .field('messaging_product', 'whatsapp').field('type', type).attach('file', bytes, { filename: 'f', contentType: type });
      expect(res.status).toBe(200);
      return String(res.body.id);
    };
    const ids: Record<string, string> = {
      '<AUDIO_OBJECT_ID>': await upload('audio/ogg', Buffer.from('OggS\0\0\0\0')),
      '<DOCUMENT_OBJECT_ID>': await upload('application/pdf', Buffer.from('%PDF-1.7')),
      '<IMAGE_OBJECT_ID>': await upload('image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0])),
      '<MEDIA_OBJECT_ID>': await upload('image/webp', Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBP')])),
      '<VIDEO_OBJECT_ID>': await upload('video/mp4', Buffer.concat([Buffer.alloc(4), Buffer.from('ftypisom')])),
    };
    const fill = (v: unknown): unknown => {
      if (typeof v === 'string') {
        if (v === '{{Recipient-Phone-Number}}' || v === '{{Recipient-WA-Phone-Number}}') return `+${CUSTOMER}`;
        if (v === '<MSGID_OF_PREV_MSG>' || v === '<MSGID_OF_MSG_YOU_ARE_REPLYING_TO>') return inbound.wamid;
        return ids[v] ?? v;
      }
      if (Array.isArray(v)) return v.map(fill);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
      return v;
    };

    const results: Array<{ name: string; line: number; body: Json; status: number; json: Json }> = [];
    for (const ex of examples) {
      const body = fill(ex.value) as Json;
      if (body.type === 'template' && body.template.name !== 'hello_world') {
        sim.seedTemplate({ wabaId: NUMBER.wabaId, name: body.template.name, language: body.template.language.code, components: templateFor(body.template) });
      }
      const res = await h.graph('POST', SEND, body);
      results.push({ name: ex.name, line: ex.line, body, ...res });
    }

    // "Send Reply to List Message" (spec line 13285) has no `type`; Meta defaults `type` to text, so the
    // request lacks text.body and is refused. Every other example is accepted.
    const refused = results.filter((r) => r.status !== 200);
    expect(refused.map((r) => `${r.line} ${r.name}: ${JSON.stringify(r.json)}`)).toEqual([
      expect.stringContaining('13285 Send Reply to List Message'),
    ]);
    expect(refused[0].json.error).toMatchObject({ code: 100, type: 'OAuthException' });

    for (const r of results.filter((x) => x.status === 200)) {
      if (r.name === 'Send typing indicator and read receipt') {
        expect(r.json).toEqual({ success: true });
        continue;
      }
      const to = String(r.body.to);
      expect(r.json).toMatchObject({ messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to.replace(/\D/g, '') }] });
      expect(r.json.messages[0].id).toMatch(/^wamid\.[A-Za-z0-9+/=]+$/);
      if (r.name.includes('Template') || r.name.includes('Sample') || r.name === 'Send Test Message') {
        expect(r.json.messages[0].message_status).toBe('accepted');
      } else {
        expect(r.json.messages[0].message_status).toBeUndefined();
      }
    }

    // By-ID media sends are delivered; "links" such as `<http(s)://audio-url>` are not URLs: accepted, then failed.
    await sim.idle();
    const byId = results.find((r) => r.name === 'Send Image Message by ID')!;
    const byLink = results.find((r) => r.name === 'Send Image Message by URL')!;
    const st = (r: { json: Json }): string[] => statusesOf(h!.receiver.received, r.json.messages[0].id as string).map((s) => String(s.status));
    expect(st(byId)).toEqual(['sent', 'delivered']);
    expect(st(byLink)).toEqual(['failed']);
    expect(statusesOf(h.receiver.received, byLink.json.messages[0].id as string)[0].errors[0].code).toBe(131053);
    // a reaction only gets `sent`... unless its target is unknown (wamid.HBgLM... in the example): 131009
    const reaction = results.find((r) => r.name === 'Send Reply with Reaction Message')!;
    expect(statusesOf(h.receiver.received, reaction.json.messages[0].id as string)[0].errors[0].code).toBe(131009);
  });
});

describe('access tokens', () => {
  it('missing token → 401 OAuthException code 190', async () => {
    h = await harness();
    const res = await h.graph('POST', SEND, textSend(), null);
    expect(res.status).toBe(401);
    expect(res.json.error).toMatchObject({ type: 'OAuthException', code: 190 });
    expect(typeof res.json.error.fbtrace_id).toBe('string');
  });

  it('wrong token → 401 code 190 "Invalid OAuth access token"', async () => {
    h = await harness();
    const res = await h.graph('POST', SEND, textSend(), 'EAAnot-a-token');
    expect(res.status).toBe(401);
    expect(res.json.error).toMatchObject({ type: 'OAuthException', code: 190, message: expect.stringContaining('Invalid OAuth access token') });
    const info = await h.graph('GET', `/v24.0/${PNID}`, undefined, 'EAAnot-a-token');
    expect(info.status).toBe(401);
    expect(info.json.error.code).toBe(190);
  });

  it("another business's token sees the number as nonexistent (100 / subcode 33)", async () => {
    h = await harness();
    const res = await h.graph('POST', SEND, textSend(), OTHER_NUMBER.accessToken);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it('an expired token → 190 / subcode 463', async () => {
    h = await harness();
    h.sim.revokeToken(NUMBER.accessToken, 'expired');
    const res = await h.graph('GET', `/v24.0/${PNID}`);
    expect(res.status).toBe(401);
    expect(res.json.error).toMatchObject({ code: 190, error_subcode: 463 });
  });

  it('GET /{phone-number-id} verifies a token and returns the number', async () => {
    h = await harness();
    const res = await h.graph('GET', `/v23.0/${PNID}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: PNID, verified_name: 'Jaspers Market', display_phone_number: '+15550783881', quality_rating: 'GREEN' });
    const some = await h.graph('GET', `/v23.0/${PNID}?fields=verified_name,name_status`);
    expect(some.json).toEqual({ verified_name: 'Jaspers Market', name_status: 'APPROVED', id: PNID });
    const bad = await h.graph('GET', `/v23.0/${PNID}?fields=nope`);
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe('(#100) Tried accessing nonexisting field (nope) on node type (WhatsAppBusinessPhoneNumber)');
  });
});

describe('send validation', () => {
  const send = async (body: Json): Promise<{ status: number; json: Json }> => {
    h ??= await harness();
    return h.graph('POST', SEND, body);
  };

  it('text body ≤ 4096 characters', async () => {
    expect((await send(textSend(`+${CUSTOMER}`, 'x'.repeat(4096)))).status).toBe(200);
    const res = await send(textSend(`+${CUSTOMER}`, 'x'.repeat(4097)));
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 100, type: 'OAuthException', error_data: { messaging_product: 'whatsapp' } });
  });

  it('missing fields → code 100 invalid parameter', async () => {
    for (const body of [
      { to: `+${CUSTOMER}`, type: 'text', text: { body: 'x' } },
      { messaging_product: 'whatsapp', type: 'text', text: { body: 'x' } },
      { messaging_product: 'whatsapp', to: `+${CUSTOMER}`, type: 'text' },
      { messaging_product: 'whatsapp', to: `+${CUSTOMER}`, type: 'location', location: { latitude: 1 } },
      { messaging_product: 'whatsapp', to: `+${CUSTOMER}`, type: 'teleport' },
    ]) {
      const res = await send(body);
      expect([res.status, res.json.error?.code]).toEqual([400, 100]);
    }
  });

  it('interactive buttons: at most 3, titles ≤ 20 characters (131009)', async () => {
    const button = (n: number, title = 'OK'): Json => ({
      messaging_product: 'whatsapp',
      to: `+${CUSTOMER}`,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: '¿Aceptas?' },
        action: { buttons: Array.from({ length: n }, (_, i) => ({ type: 'reply', reply: { id: `b${i}`, title: `${title}${i}` } })) },
      },
    });
    expect((await send(button(3))).status).toBe(200);
    const four = await send(button(4));
    expect([four.status, four.json.error.code]).toEqual([400, 131009]);
    const long = await send(button(1, 'x'.repeat(20)));
    expect([long.status, long.json.error.code, long.json.error.error_data.details]).toEqual([400, 131009, 'Button title length invalid. Min length: 1, Max length: 20']);
  });

  it('interactive list: ≤ 10 rows in total', async () => {
    const list = (rows: number): Json => ({
      messaging_product: 'whatsapp',
      to: `+${CUSTOMER}`,
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Pick one' },
        action: { button: 'Options', sections: [{ title: 'A', rows: Array.from({ length: rows }, (_, i) => ({ id: `r${i}`, title: `Row ${i}` })) }] },
      },
    });
    expect((await send(list(10))).status).toBe(200);
    expect((await send(list(11))).json.error.code).toBe(131009);
  });

  it('interactive list: the other limits of notes §8.8, refused like Meta (131009 a bad value, 100 a missing one)', async () => {
    type Sections = Array<{ title?: string; rows: Array<Record<string, unknown>> }>;
    const list = (p: { sections?: Sections; button?: unknown; header?: Json; body?: string } = {}): Json => ({
      messaging_product: 'whatsapp',
      to: `+${CUSTOMER}`,
      type: 'interactive',
      interactive: {
        type: 'list',
        ...(p.header ? { header: p.header } : {}),
        body: { text: p.body ?? 'Elige una opción' },
        action: { ...(p.button === undefined ? { button: 'Ver opciones' } : p.button === null ? {} : { button: p.button }), sections: p.sections ?? [{ rows: [{ id: 'a', title: 'Ventas' }] }] },
      },
    });
    const row = (over: Record<string, unknown> = {}) => ({ id: 'r1', title: 'Soporte técnico 24/7 ok', ...over });
    // Accepted at the limits: a 24-character title, a 72-character description, a 20-character label, a text header, 10 titled sections.
    expect((await send(list({ sections: [{ rows: [row({ title: 'x'.repeat(24), description: 'd'.repeat(72) })] }], button: 'b'.repeat(20), header: { type: 'text', text: 'Menú' } }))).status).toBe(200);
    expect((await send(list({ sections: Array.from({ length: 10 }, (_, i) => ({ title: `S${i}`, rows: [row({ id: `r${i}` })] })) }))).status).toBe(200);
    expect((await send(list({ body: 'y'.repeat(4096) }))).status).toBe(200);

    const refused: Array<[string, Json, number]> = [
      ['row title of 25', list({ sections: [{ rows: [row({ title: 'x'.repeat(25) })] }] }), 131009],
      ['empty row title', list({ sections: [{ rows: [row({ title: '  ' })] }] }), 131009],
      ['row id of 201', list({ sections: [{ rows: [row({ id: 'i'.repeat(201) })] }] }), 131009],
      ['description of 73', list({ sections: [{ rows: [row({ description: 'd'.repeat(73) })] }] }), 100],
      ['the same row id twice', list({ sections: [{ title: 'A', rows: [row()] }, { title: 'B', rows: [row()] }] }), 131009],
      ['button label of 21', list({ button: 'b'.repeat(21) }), 131009],
      ['empty button label', list({ button: '' }), 131009],
      ['no button label', list({ button: null }), 100],
      ['two sections, one untitled', list({ sections: [{ title: 'A', rows: [row()] }, { rows: [row({ id: 'r2' })] }] }), 100],
      ['section title of 25', list({ sections: [{ title: 't'.repeat(25), rows: [row()] }] }), 100],
      ['11 sections', list({ sections: Array.from({ length: 11 }, (_, i) => ({ title: `S${i}`, rows: [row({ id: `r${i}` })] })) }), 131009],
      ['a section without rows', list({ sections: [{ rows: [] }] }), 100],
      ['a row without a title', list({ sections: [{ rows: [{ id: 'r1' }] }] }), 100],
      ['an image header', list({ header: { type: 'image', image: { link: 'https://x.example/a.png' } } }), 131009],
      ['body of 4097', list({ body: 'y'.repeat(4097) }), 100],
    ];
    for (const [what, body, code] of refused) {
      const res = await send(body);
      expect([what, res.status, res.json.error?.code]).toEqual([what, 400, code]);
    }
  });

  it("the customer picks a row of the list: list_reply carries the row's id, title and description; a row the list lacks cannot be picked", async () => {
    const sent = await send({
      messaging_product: 'whatsapp',
      to: `+${CUSTOMER}`,
      type: 'interactive',
      interactive: { type: 'list', body: { text: '¿Qué necesitas?' }, action: { button: 'Ver opciones', sections: [{ rows: [{ id: 'opt_billing', title: 'Facturación', description: 'Pagos y facturas' }] }] } },
    });
    expect(sent.status).toBe(200);
    const wamid = String(sent.json.messages[0].id);
    await expect(h!.sim.customer.tapListItem({ from: CUSTOMER, to: PNID, replyToWamid: wamid, rowId: 'opt_other' })).rejects.toThrow(/has no row opt_other/);
    await h!.sim.customer.tapListItem({ from: CUSTOMER, to: PNID, replyToWamid: wamid, rowId: 'opt_billing' });
    const inbound = [...h!.sim.state.inbound.values()].at(-1)!;
    expect(inbound.message).toMatchObject({ type: 'interactive', context: { id: wamid }, interactive: { type: 'list_reply', list_reply: { id: 'opt_billing', title: 'Facturación', description: 'Pagos y facturas' } } });
  });

  it('media by an unknown id → 131009', async () => {
    const res = await send({ messaging_product: 'whatsapp', to: `+${CUSTOMER}`, type: 'image', image: { id: '999999999999999' } });
    expect([res.status, res.json.error.code]).toEqual([400, 131009]);
  });

  it('mark as read → {"success": true} and is recorded on the inbound message', async () => {
    h = await harness();
    const { wamid } = await h.sim.customer.sendText({ from: CUSTOMER, to: PNID, text: 'hola' });
    const res = await h.graph('POST', SEND, { messaging_product: 'whatsapp', status: 'read', message_id: wamid });
    expect(res).toEqual({ status: 200, json: { success: true } });
    expect(h.sim.state.inbound.get(wamid)?.readByBusiness).toBe(true);
    const bad = await h.graph('POST', SEND, { messaging_product: 'whatsapp', status: 'read' });
    expect(bad.json.error.code).toBe(100);
  });

  it('any /vNN.N/ prefix is accepted; other prefixes are unknown paths', async () => {
    h = await harness();
    await h.sim.customer.sendText({ from: CUSTOMER, to: PNID, text: 'hola' });
    expect((await h.graph('POST', `/v19.0/${PNID}/messages`, textSend())).status).toBe(200);
    expect((await h.graph('POST', `/v26.0/${PNID}/messages`, textSend())).status).toBe(200);
    const bad = await h.graph('POST', `/latest/${PNID}/messages`, textSend());
    expect(bad.status).toBe(400);
    expect(bad.json.error.type).toBe('OAuthException');
  });

  it('logs every request', async () => {
    h = await harness();
    await h.graph('POST', SEND, textSend());
    const r = h.sim.requests.find((x) => x.path === SEND);
    expect(r).toMatchObject({ method: 'POST', status: 200, body: { to: `+${CUSTOMER}` } });
  });
});

describe('throughput and pair rate limits', () => {
  let t = Date.UTC(2026, 0, 10);
  const clock = (): number => t;

  it('per-number throughput → 130429 once the per-second budget is used', async () => {
    t = Date.UTC(2026, 0, 10);
    const sim = createMetaSimulator({ appSecret: APP_SECRET, numbers: [NUMBER], now: clock, throughputMps: 5, autoDeliver: false, statusDelayMs: 0 });
    const post = (to: string) => request(sim.app).post(SEND).set('Authorization', `Bearer ${NUMBER.accessToken}`).send(textSend(to));
    for (let i = 0; i < 5; i++) expect((await post(`+1650555000${i}`)).status).toBe(200);
    const over = await post('+16505550009');
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({ code: 130429, message: '(#130429) Rate limit hit', error_data: { messaging_product: 'whatsapp' } });
    t += 1000;
    expect((await post('+16505550009')).status).toBe(200);
    sim.stop();
  });

  it('more than 45 messages in 6 s to the same customer → 131056', async () => {
    t = Date.UTC(2026, 0, 10);
    const sim = createMetaSimulator({ appSecret: APP_SECRET, numbers: [NUMBER], now: clock, autoDeliver: false, statusDelayMs: 0 });
    const post = (to: string) => request(sim.app).post(SEND).set('Authorization', `Bearer ${NUMBER.accessToken}`).send(textSend(to));
    for (let i = 0; i < 45; i++) {
      t += 10;
      expect((await post(`+${CUSTOMER}`)).status).toBe(200);
    }
    const over = await post(`+${CUSTOMER}`);
    expect([over.status, over.body.error.code]).toEqual([400, 131056]);
    expect((await post('+16505559999')).status).toBe(200); // other customers are unaffected
    t += 6000;
    expect((await post(`+${CUSTOMER}`)).status).toBe(200);
    sim.stop();
  });
});

// The 24-hour customer service window and the sent → delivered → read status webhooks.
import { afterEach, describe, expect, it } from '@jest/globals';
import { CUSTOMER, harness, NUMBER, statusesOf, textSend, type Harness, type Json } from './helpers.js';

const PNID = NUMBER.phoneNumberId;
const SEND = `/v24.0/${PNID}/messages`;
const HOUR = 3600 * 1000;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const template = (name = 'appointment_reminder'): Json => ({
  messaging_product: 'whatsapp',
  to: `+${CUSTOMER}`,
  type: 'template',
  template: { name, language: { code: 'es_CO' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] },
});

describe('24-hour customer service window (controlled clock)', () => {
  it('inbound at t: free-form at t+23h is delivered; at t+25h it is accepted, then fails with 131047; templates always go', async () => {
    let t = Date.UTC(2026, 4, 4, 9, 0, 0);
    h = await harness({ now: () => t });
    h.sim.seedTemplate({ wabaId: NUMBER.wabaId, name: 'appointment_reminder', language: 'es_CO', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hola {{1}}, te esperamos mañana.' }] });
    const inbound = await h.sim.customer.sendText({ from: CUSTOMER, to: PNID, text: 'Hola' });
    expect(inbound.status).toBe(200);
    const inboundTs = Number(h.receiver.received[0].json.entry[0].changes[0].value.messages[0].timestamp);
    expect(inboundTs).toBe(t / 1000);

    t += 23 * HOUR;
    const ok = await h.graph('POST', SEND, textSend());
    expect(ok.status).toBe(200);
    const okId = String(ok.json.messages[0].id);

    t += 2 * HOUR; // t + 25 h
    const late = await h.graph('POST', SEND, textSend(`+${CUSTOMER}`, 'still there?'));
    expect(late.status).toBe(200); // accepted synchronously, like Meta
    const lateId = String(late.json.messages[0].id);
    const tpl = await h.graph('POST', SEND, template());
    expect(tpl.status).toBe(200);
    expect(tpl.json.messages[0].message_status).toBe('accepted');
    const tplId = String(tpl.json.messages[0].id);

    await h.sim.idle();
    const rs = h.receiver.received;
    expect(rs.every((r) => r.signatureValid)).toBe(true);
    expect(statusesOf(rs, okId).map((s) => s.status)).toEqual(['sent', 'delivered']);
    expect(statusesOf(rs, tplId).map((s) => s.status)).toEqual(['sent', 'delivered']);

    const lateStatuses = statusesOf(rs, lateId);
    expect(lateStatuses).toHaveLength(1);
    expect(lateStatuses[0]).toEqual({
      id: lateId,
      status: 'failed',
      timestamp: String(t / 1000),
      recipient_id: CUSTOMER,
      errors: [
        {
          code: 131047,
          title: 'Re-engagement message',
          message: 'Re-engagement message',
          error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
          href: '/documentation/business-messaging/whatsapp/support/error-codes',
        },
      ],
    });
    expect(h.sim.state.messages.get(lateId)?.status).toBe('failed');

    // a utility template outside the window is billable; a free-form reply inside it is free
    const tplSent = statusesOf(rs, tplId)[0];
    expect(tplSent.pricing).toEqual({ billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' });
    expect(statusesOf(rs, okId)[0].pricing).toEqual({ billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' });

    // a new customer message reopens the window
    await h.sim.customer.sendText({ from: CUSTOMER, to: PNID, text: 'sí' });
    const again = await h.graph('POST', SEND, textSend());
    await h.sim.idle();
    expect(statusesOf(h.receiver.received, String(again.json.messages[0].id)).map((s) => s.status)).toEqual(['sent', 'delivered']);
  });

  it('the window is per business number: writing to one number does not open another', async () => {
    const t = Date.UTC(2026, 4, 4);
    const second = { ...NUMBER, phoneNumberId: '106540352242999', displayPhoneNumber: '15550783999' };
    h = await harness({ now: () => t, numbers: [NUMBER, second] });
    await h.sim.customer.sendText({ from: CUSTOMER, to: second.phoneNumberId, text: 'hola' });
    const res = await h.graph('POST', SEND, textSend());
    await h.sim.idle();
    expect(statusesOf(h.receiver.received, String(res.json.messages[0].id))[0].errors[0].code).toBe(131047);
  });

  it('a reaction does not open the window', async () => {
    h = await harness();
    await h.sim.customer.sendReaction({ from: CUSTOMER, to: PNID, messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA', emoji: '❤️' });
    const res = await h.graph('POST', SEND, textSend());
    await h.sim.idle();
    expect(statusesOf(h.receiver.received, String(res.json.messages[0].id))[0].status).toBe('failed');
  });
});

describe('status webhooks', () => {
  it('sent → delivered → read reach the receiver in order, correctly signed, in Meta v24 shape', async () => {
    h = await harness();
    await h.sim.customer.sendText({ from: CUSTOMER, to: PNID, text: 'hola', name: 'Ana' });
    const res = await h.graph('POST', SEND, { ...textSend(), biz_opaque_callback_data: 'msg_42' });
    const wamid = String(res.json.messages[0].id);
    await h.sim.idle();
    await h.sim.customer.read(wamid);

    const hooks = h.receiver.received.filter((r) => statusesOf([r], wamid).length > 0);
    expect(hooks.map((r) => statusesOf([r], wamid)[0].status)).toEqual(['sent', 'delivered', 'read']);
    for (const r of hooks) {
      expect(r.signatureValid).toBe(true);
      expect(r.headers['content-type']).toBe('application/json');
      const v = r.json.entry[0].changes[0].value as Json;
      expect(r.json.entry[0].id).toBe(NUMBER.wabaId);
      expect(v.metadata).toEqual({ display_phone_number: '15550783881', phone_number_id: PNID });
      expect(v.contacts).toBeUndefined(); // status webhooks never carry contacts
      const s = v.statuses[0] as Json;
      expect(s).toMatchObject({ id: wamid, recipient_id: CUSTOMER, biz_opaque_callback_data: 'msg_42' });
      expect(typeof s.timestamp).toBe('string');
      expect(s.conversation).toBeUndefined(); // v24+
    }
    expect(statusesOf(hooks, wamid)[2].pricing).toBeUndefined();
    expect(h.sim.customer.inbox(CUSTOMER).map((m) => [m.wamid, m.status, m.text])).toEqual([[wamid, 'read', 'Hello from the business']]);
  });

  it('autoRead: the customer reads every message on its own', async () => {
    h = await harness({ autoRead: true });
    await h.sim.customer.sendText({ from: CUSTOMER, to: PNID, text: 'hola' });
    const wamid = String((await h.graph('POST', SEND, textSend())).json.messages[0].id);
    await h.sim.idle();
    expect(statusesOf(h.receiver.received, wamid).map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
  });

  it('autoDeliver: false leaves a message at `sent` until the phone receives it', async () => {
    h = await harness({ autoDeliver: false });
    await h.sim.customer.sendText({ from: CUSTOMER, to: PNID, text: 'hola' });
    const wamid = String((await h.graph('POST', SEND, textSend())).json.messages[0].id);
    await h.sim.idle();
    expect(statusesOf(h.receiver.received, wamid).map((s) => s.status)).toEqual(['sent']);
    await h.sim.customer.read(wamid); // read implies delivered
    expect(statusesOf(h.receiver.received, wamid).map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
  });

  it('v23 webhooks carry the conversation object on sent and delivered', async () => {
    h = await harness({ apiVersion: 'v23.0' });
    await h.sim.customer.sendText({ from: CUSTOMER, to: PNID, text: 'hola' });
    const wamid = String((await h.graph('POST', `/v23.0/${PNID}/messages`, textSend())).json.messages[0].id);
    await h.sim.idle();
    const [sent, delivered] = statusesOf(h.receiver.received, wamid);
    expect(sent.conversation).toMatchObject({ id: expect.any(String), expiration_timestamp: expect.any(String), origin: { type: 'service' } });
    expect(delivered.conversation.id).toBe(sent.conversation.id);
  });

  it('customer behaviours: not on WhatsApp (131026) and marketing opt-out (131050)', async () => {
    h = await harness();
    h.sim.seedTemplate({ wabaId: NUMBER.wabaId, name: 'promo', language: 'es', category: 'MARKETING', components: [{ type: 'BODY', text: 'Descuentos hoy' }] });
    h.sim.customer.setProfile('573000000001', { notOnWhatsApp: true });
    h.sim.customer.setProfile('573000000002', { marketingOptOut: true });
    const promo = (to: string) => ({ messaging_product: 'whatsapp', to, type: 'template', template: { name: 'promo', language: { code: 'es' } } });
    const a = String((await h.graph('POST', SEND, promo('+573000000001'))).json.messages[0].id);
    const b = String((await h.graph('POST', SEND, promo('+573000000002'))).json.messages[0].id);
    await h.sim.idle();
    expect(statusesOf(h.receiver.received, a)[0].errors[0].code).toBe(131026);
    expect(statusesOf(h.receiver.received, b)[0].errors[0].code).toBe(131050);
  });

  it('a business reaction gets only `sent`', async () => {
    h = await harness();
    const { wamid: inbound } = await h.sim.customer.sendText({ from: CUSTOMER, to: PNID, text: 'hola' });
    const res = await h.graph('POST', SEND, { messaging_product: 'whatsapp', to: `+${CUSTOMER}`, type: 'reaction', reaction: { message_id: inbound, emoji: '👍' } });
    await h.sim.idle();
    expect(statusesOf(h.receiver.received, String(res.json.messages[0].id)).map((s) => s.status)).toEqual(['sent']);
  });
});

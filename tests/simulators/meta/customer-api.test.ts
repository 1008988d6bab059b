// The customer phone over HTTP (/_sim, used by the demo UI) and the webhook subscription handshake.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createMetaSimulator } from '../../../simulators/meta/index.js';
import { APP_SECRET, CUSTOMER, harness, NUMBER, statusesOf, textSend, type Harness, type Json } from './helpers.js';

const PNID = NUMBER.phoneNumberId;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const post = async (url: string, body: Json): Promise<{ status: number; json: Json }> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Json };
};

describe('customer HTTP API (/_sim)', () => {
  it('sends a text, shows the business reply in the inbox and reads it', async () => {
    h = await harness();
    const sent = await post(`${h.url}/_sim/customer/text`, { from: `+${CUSTOMER}`, to: PNID, text: 'Hola desde el teléfono', name: 'Ana' });
    expect(sent.status).toBe(200);
    expect(sent.json).toEqual({ wamid: expect.stringMatching(/^wamid\./), status: 200 });
    expect(h.receiver.received[0].json.entry[0].changes[0].value.contacts).toEqual([{ profile: { name: 'Ana' }, wa_id: CUSTOMER }]);

    const reply = await h.graph('POST', `/v24.0/${PNID}/messages`, textSend());
    const wamid = String(reply.json.messages[0].id);
    await h.sim.idle();
    const inbox = await (await fetch(`${h.url}/_sim/customer/${CUSTOMER}/inbox`)).json() as Json;
    expect(inbox.data).toEqual([expect.objectContaining({ wamid, status: 'delivered', text: 'Hello from the business' })]);

    expect((await post(`${h.url}/_sim/customer/read`, { wamid })).json).toEqual({ success: true });
    expect(statusesOf(h.receiver.received, wamid).map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);

    const media = await post(`${h.url}/_sim/customer/media`, { from: CUSTOMER, to: PNID, kind: 'image', mimeType: 'image/jpeg', bytesBase64: Buffer.from([0xff, 0xd8, 0xff]).toString('base64') });
    expect(media.json.mediaId).toMatch(/^\d+$/);
    expect((await post(`${h.url}/_sim/customer/teleport`, {})).status).toBe(404);
    expect((await post(`${h.url}/_sim/customer/text`, { from: CUSTOMER, to: '999', text: 'x' })).status).toBe(400);
  });
});

describe('webhook subscription handshake', () => {
  it('verifyWebhook is ok only when the app echoes hub.challenge for the right token', async () => {
    const server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.searchParams.get('hub.mode') === 'subscribe' && u.searchParams.get('hub.verify_token') === 'right') {
        res.end(u.searchParams.get('hub.challenge'));
      } else {
        res.statusCode = 403;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const sim = createMetaSimulator({ appSecret: APP_SECRET, numbers: [NUMBER], webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/whatsapp` });
    expect(await sim.verifyWebhook('right')).toMatchObject({ ok: true, status: 200 });
    expect(await sim.verifyWebhook('wrong')).toMatchObject({ ok: false, status: 403 });
    sim.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
});

// Media: upload (multipart), GET /{media-id}, authenticated download of a 5-minute URL, delete, limits.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { CUSTOMER, harness, NUMBER, OTHER_NUMBER, type Harness, type Json } from './helpers.js';

const PNID = NUMBER.phoneNumberId;
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('fake png body for the simulator test')]);
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function upload(h: Harness, bytes: Buffer, type: string, opts: { token?: string; messagingProduct?: string | null; filename?: string } = {}) {
  let req = request(h.url)
    .post(`/v24.0/${PNID}/media`)
    .set('Authorization', `Bearer ${opts.token ?? NUMBER.accessToken}`);
  if (opts.messagingProduct !== null) req = req.field('messaging_product', opts.messagingProduct ?? 'whatsapp');
  return req.field('type', type).attach('file', bytes, { filename: opts.filename ?? 'photo.png', contentType: type });
}

async function download(url: string, token?: string): Promise<{ status: number; bytes: Buffer; type: string | null }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
}

describe('media', () => {
  it('upload → info → download with the token → URL expires after 5 minutes → a new URL works', async () => {
    let t = Date.UTC(2026, 5, 1, 10, 0, 0);
    h = await harness({ now: () => t });
    const up = await upload(h, PNG, 'image/png');
    expect(up.status).toBe(200);
    expect(Object.keys(up.body)).toEqual(['id']);
    const id = String(up.body.id);
    expect(id).toMatch(/^\d{15,16}$/);

    const info = await h.graph('GET', `/v24.0/${id}`);
    expect(info.status).toBe(200);
    expect(info.json).toEqual({
      messaging_product: 'whatsapp',
      url: expect.stringMatching(new RegExp(`^${h.url}/whatsapp_business/attachments/\\?mid=${id}&ext=\\d+&hash=`)),
      mime_type: 'image/png',
      sha256: createHash('sha256').update(PNG).digest('hex'),
      file_size: PNG.length,
      id,
    });
    const url = String(info.json.url);

    const ok = await download(url, NUMBER.accessToken);
    expect(ok.status).toBe(200);
    expect(ok.type).toBe('image/png');
    expect(ok.bytes.equals(PNG)).toBe(true);

    expect((await download(url)).status).toBe(401); // the URL alone is not enough
    expect((await download(url, 'EAAwrong')).status).toBe(401);
    expect((await download(url, OTHER_NUMBER.accessToken)).status).toBe(404);
    expect((await download(url.replace(/hash=[^&]+/, 'hash=forged'), NUMBER.accessToken)).status).toBe(404);

    t += 4 * 60 * 1000 + 59 * 1000;
    expect((await download(url, NUMBER.accessToken)).status).toBe(200);
    t += 2000; // > 5 minutes
    expect((await download(url, NUMBER.accessToken)).status).toBe(404);

    const again = await h.graph('GET', `/v24.0/${id}?phone_number_id=${PNID}`);
    expect(again.json.url).not.toBe(url);
    expect((await download(String(again.json.url), NUMBER.accessToken)).status).toBe(200);
  });

  it('delete → {"success": true}; the id then no longer exists (100 / 33)', async () => {
    h = await harness();
    const id = String((await upload(h, PNG, 'image/png')).body.id);
    const url = String((await h.graph('GET', `/v24.0/${id}`)).json.url);
    expect(await h.graph('DELETE', `/v24.0/${id}`)).toEqual({ status: 200, json: { success: true } });
    const gone = await h.graph('GET', `/v24.0/${id}`);
    expect([gone.status, gone.json.error.code, gone.json.error.error_subcode]).toEqual([400, 100, 33]);
    expect((await download(url, NUMBER.accessToken)).status).toBe(404);
    const send = await h.graph('POST', `/v24.0/${PNID}/messages`, { messaging_product: 'whatsapp', to: `+${CUSTOMER}`, type: 'image', image: { id } });
    expect(send.json.error.code).toBe(131009);
  });

  it('an uploaded id can be sent, and appears in the customer inbox', async () => {
    h = await harness();
    await h.sim.customer.sendText({ from: CUSTOMER, to: PNID, text: 'send me the receipt' });
    const id = String((await upload(h, Buffer.from('%PDF-1.7 receipt'), 'application/pdf', { filename: 'receipt.pdf' })).body.id);
    const res = await h.graph('POST', `/v24.0/${PNID}/messages`, {
      messaging_product: 'whatsapp',
      to: `+${CUSTOMER}`,
      type: 'document',
      document: { id, filename: 'order_abc123.pdf', caption: 'Your order confirmation' },
    });
    expect(res.status).toBe(200);
    await h.sim.idle();
    const [m] = h.sim.customer.inbox(CUSTOMER);
    expect(m).toMatchObject({ type: 'document', mediaId: id, text: 'Your order confirmation', status: 'delivered' });
  });

  it("enforces Meta's upload rules: messaging_product, supported types, size limits, content matching the type", async () => {
    h = await harness();
    const noMp = await upload(h, PNG, 'image/png', { messagingProduct: null });
    expect([noMp.status, noMp.body.error.code]).toEqual([400, 100]);

    const gif = await upload(h, Buffer.from('GIF89a....'), 'image/gif');
    expect([gif.status, gif.body.error.code]).toEqual([400, 100]);
    expect(gif.body.error.message).toContain("Received file of type 'image/gif'");

    const big = await upload(h, Buffer.alloc(5 * 1024 * 1024 + 1), 'image/jpeg');
    expect([big.status, big.body.error.code]).toEqual([400, 131053]);
    expect((await upload(h, Buffer.alloc(5 * 1024 * 1024), 'image/jpeg')).status).toBe(200);

    const sticker = await upload(h, Buffer.alloc(600 * 1024), 'image/webp');
    expect(sticker.body.error.code).toBe(131053);

    const mismatch = await upload(h, PNG, 'image/jpeg'); // PNG bytes declared as JPEG
    expect([mismatch.status, mismatch.body.error.code]).toEqual([400, 131053]);

    const noToken = await request(h.url).post(`/v24.0/${PNID}/media`).field('messaging_product', 'whatsapp').attach('file', PNG, 'a.png');
    expect([noToken.status, noToken.body.error.code]).toEqual([401, 190]);
  });

  it('media sent by the customer can be fetched by the app with its token', async () => {
    h = await harness();
    const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('jpeg')]);
    const { mediaId } = await h.sim.customer.sendMedia({ from: CUSTOMER, to: PNID, kind: 'image', bytes, mimeType: 'image/jpeg', caption: 'foto' });
    const image = h.receiver.received[0].json.entry[0].changes[0].value.messages[0].image as Json;
    expect(image).toMatchObject({ id: mediaId, mime_type: 'image/jpeg', caption: 'foto', sha256: createHash('sha256').update(bytes).digest('base64') });
    // the lookaside-style url in the webhook works directly with the token…
    expect((await download(String(image.url), NUMBER.accessToken)).bytes.equals(bytes)).toBe(true);
    // …and so does the documented path: GET /{media-id} then the url
    const info = await h.graph('GET', `/v24.0/${mediaId}`);
    expect((await download(String(info.json.url), NUMBER.accessToken)).bytes.equals(bytes)).toBe(true);
  });
});

// GET /media/:id serves what customers sent from our own origin: nothing a customer sent may run
// there (stored XSS), and any file name must come back as a valid header (issue 17).
import request from 'supertest';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { PHONE_NUMBER_ID, PORTAL_ID, seedNumber } from './helpers.js';

let rt: TestRuntime;
let contactId: number;

beforeAll(async () => {
  rt = await startTestRuntime();
  await seedNumber(rt.db, rt.ctx.secrets);
  contactId = (await rt.db.query(`INSERT INTO contacts (portal_id, wa_id) VALUES ($1, '573001112233') RETURNING id`, [PORTAL_ID])).rows[0].id;
});
afterAll(async () => {
  await rt?.close();
});

/** An inbound attachment as the download job leaves it; returns the path of its signed link. */
async function stored(p: { bytes: string | Buffer; mimeType: string | null; filename: string | null }): Promise<string> {
  const bytes = Buffer.isBuffer(p.bytes) ? p.bytes : Buffer.from(p.bytes);
  const msg = await rt.db.query(
    `INSERT INTO messages (portal_id, contact_id, phone_number_id, direction, type, status, sent_at) VALUES ($1, $2, $3, 'in', 'document', 'received', now()) RETURNING id`,
    [PORTAL_ID, contactId, PHONE_NUMBER_ID],
  );
  const messageId = Number(msg.rows[0].id);
  const put = await rt.services.whatsapp!.storage.put({ portalId: PORTAL_ID, bytes });
  await rt.db.query(
    `INSERT INTO media_objects (portal_id, contact_id, message_id, direction, phone_number_id, mime_type, filename, storage_key, size_bytes, state)
     VALUES ($1, $2, $3, 'in', $4, $5, $6, $7, $8, 'stored')`,
    [PORTAL_ID, contactId, messageId, PHONE_NUMBER_ID, p.mimeType, p.filename, put.key, put.size],
  );
  const url = (await rt.services.whatsapp!.timelineLinks([messageId])).get(messageId)!;
  return new URL(url).pathname + new URL(url).search;
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

describe('GET /media/:id', () => {
  test('an HTML file a customer sent is a sandboxed download, never a page of our origin', async () => {
    const res = await request(rt.app).get(await stored({ bytes: '<script>alert(document.cookie)</script>', mimeType: 'text/html', filename: 'factura.html' }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toBe('attachment; filename="factura.html"');
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  test('an SVG (an image that can carry script) is a download too', async () => {
    const res = await request(rt.app).get(await stored({ bytes: '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', mimeType: 'image/svg+xml', filename: 'logo.svg' }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).not.toContain('svg');
    expect(res.headers['content-disposition']).toMatch(/^attachment;/);
    expect(res.headers['content-security-policy']).toContain('sandbox');
  });

  test('a PNG is shown inline (the card shows it as an image), still sandboxed and nosniff', async () => {
    const res = await request(rt.app).get(await stored({ bytes: PNG, mimeType: 'image/png', filename: 'foto.png' })).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-disposition']).toBe('inline; filename="foto.png"');
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(res.body as Buffer, PNG)).toBe(0);
  });

  test.each([
    ['报告.pdf', 'attachment; filename="__.pdf"; filename*=UTF-8\'\'%E6%8A%A5%E5%91%8A.pdf'],
    ['recibo 🧾.pdf', 'attachment; filename="recibo _.pdf"; filename*=UTF-8\'\'recibo%20%F0%9F%A7%BE.pdf'],
    ['a"b\r\nSet-Cookie: x=1.pdf', 'attachment; filename="a_bSet-Cookie: x=1.pdf"; filename*=UTF-8\'\'a%22bSet-Cookie%3A%20x%3D1.pdf'],
    ['C:\\Users\\ana\\factura.pdf', 'attachment; filename="factura.pdf"'],
  ])('a file named %j answers 200 with an RFC 6266 / RFC 5987 Content-Disposition', async (filename, expected) => {
    const res = await request(rt.app).get(await stored({ bytes: '%PDF-1.4\n', mimeType: 'application/pdf', filename }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(expected);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('a name with a folder or no name at all still gives a plain file name', async () => {
    const nested = await request(rt.app).get(await stored({ bytes: '%PDF-1.4\n', mimeType: 'application/pdf', filename: '../../etc/passwd' }));
    expect(nested.headers['content-disposition']).toBe('attachment; filename="passwd"');
    const unnamed = await request(rt.app).get(await stored({ bytes: '%PDF-1.4\n', mimeType: null, filename: null }));
    expect(unnamed.status).toBe(200);
    expect(unnamed.headers['content-type']).toBe('application/octet-stream');
    expect(unnamed.headers['content-disposition']).toMatch(/^attachment; filename="attachment-\d+"$/);
  });

  test('a tampered link is refused', async () => {
    const path = await stored({ bytes: PNG, mimeType: 'image/png', filename: 'x.png' });
    const res = await request(rt.app).get(path.replace(/sig=[^&]+/, 'sig=AAAA'));
    expect(res.status).toBe(403);
  });
});

// Status webhooks are scoped by the number they came for (issue 17): a status for a wamid applies
// only to a message of the portal owning that number — never to another portal's message with the
// same wamid, nor through our callback data naming another portal's message.
import { recordWamid, storeWamidIfNothingWaits } from '../../src/whatsapp/status.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { postWebhook, seedNumber } from './helpers.js';

let rt: TestRuntime;
const A = { portalId: 5101, phoneNumberId: '5101000001', wabaId: '5101900001' };
const B = { portalId: 5102, phoneNumberId: '5102000002', wabaId: '5102900002' };

beforeAll(async () => {
  rt = await startTestRuntime({ work: false });
  await seedNumber(rt.db, rt.ctx.secrets, { ...A, displayPhoneNumber: '15550001111' });
  await seedNumber(rt.db, rt.ctx.secrets, { ...B, displayPhoneNumber: '15550002222' });
});
afterAll(async () => {
  await rt?.close();
});

/** An outbound message of portal A (on A's number), accepted by Meta with `wamid` (or not yet: null). */
async function outboundOfA(wamid: string | null): Promise<number> {
  const c = await rt.db.query(`INSERT INTO contacts (portal_id, wa_id) VALUES ($1, $2) RETURNING id`, [A.portalId, `57300${Math.floor(Math.random() * 1e7)}`]);
  const m = await rt.db.query(
    `INSERT INTO messages (portal_id, contact_id, phone_number_id, wamid, direction, type, text, status, sender, sent_at)
     VALUES ($1, $2, $3, $4, 'out', 'text', 'hola', 'accepted', 'agent', now()) RETURNING id`,
    [A.portalId, c.rows[0].id, A.phoneNumberId, wamid],
  );
  return Number(m.rows[0].id);
}

function statusWebhook(n: typeof A, s: { id: string; status: string; timestamp: number; biz_opaque_callback_data?: string }) {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: n.wabaId, changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: n.phoneNumberId }, statuses: [{ recipient_id: '16505551234', ...s, timestamp: String(s.timestamp) }] } }] }],
  };
}

async function deliver(n: typeof A, s: Parameters<typeof statusWebhook>[1]): Promise<void> {
  expect((await postWebhook(rt.app, statusWebhook(n, s))).status).toBe(200);
  const r = await rt.db.query(`SELECT id FROM webhook_events WHERE state = 'pending' ORDER BY id`);
  for (const { id } of r.rows) await rt.services.whatsapp!.processEvent(Number(id));
}

const statusOf = async (id: number) => (await rt.db.query(`SELECT status, wamid FROM messages WHERE id = $1`, [id])).rows[0];

describe('status webhooks scoped by number', () => {
  test('a status for portal A’s wamid that came for portal B’s number leaves A’s message alone; A’s own status applies', async () => {
    const id = await outboundOfA('wamid.scope-1');
    await deliver(B, { id: 'wamid.scope-1', status: 'read', timestamp: 1750030100 });
    expect(await statusOf(id)).toMatchObject({ status: 'accepted' });
    await deliver(A, { id: 'wamid.scope-1', status: 'delivered', timestamp: 1750030200 });
    expect(await statusOf(id)).toMatchObject({ status: 'delivered' });
    // Both are kept as history, each under its own number (neither takes the other's slot).
    const evs = await rt.db.query(`SELECT phone_number_id, status FROM message_status_events WHERE wamid = 'wamid.scope-1' ORDER BY status`);
    expect(evs.rows).toEqual([
      { phone_number_id: A.phoneNumberId, status: 'delivered' },
      { phone_number_id: B.phoneNumberId, status: 'read' },
    ]);
  });

  test('callback data naming portal A’s message does not attach a wamid through portal B’s number', async () => {
    const id = await outboundOfA(null);
    await deliver(B, { id: 'wamid.scope-2', status: 'sent', timestamp: 1750030300, biz_opaque_callback_data: `m:${id}` });
    expect(await statusOf(id)).toEqual({ status: 'accepted', wamid: null });
    await deliver(A, { id: 'wamid.scope-2', status: 'sent', timestamp: 1750030301, biz_opaque_callback_data: `m:${id}` });
    expect(await statusOf(id)).toEqual({ status: 'sent', wamid: 'wamid.scope-2' });
  });

  test('Meta’s answer is stored in one statement unless a status of the message’s own number waits for it', async () => {
    const id = await outboundOfA(null);
    await deliver(B, { id: 'wamid.scope-4', status: 'read', timestamp: 1750030500 }); // another number's: does not count
    const stored = await storeWamidIfNothingWaits<{ wamid: string; status: string }>(rt.db.pool, { messageId: id, wamid: 'wamid.scope-4' });
    expect(stored).toMatchObject({ wamid: 'wamid.scope-4', status: 'accepted' });

    const other = await outboundOfA(null);
    await deliver(A, { id: 'wamid.scope-5', status: 'delivered', timestamp: 1750030600 }); // waits for the wamid
    expect(await storeWamidIfNothingWaits(rt.db.pool, { messageId: other, wamid: 'wamid.scope-5' })).toBeNull();
    expect(await statusOf(other)).toEqual({ status: 'accepted', wamid: null }); // left to recordWamid, which applies it
  });

  test('statuses waiting for the wamid are applied only when they came for the message’s own number', async () => {
    const id = await outboundOfA(null);
    await deliver(B, { id: 'wamid.scope-3', status: 'read', timestamp: 1750030400 }); // no message has it yet: it waits
    await rt.db.tx((c) => recordWamid(c, rt.ctx.events, { messageId: id, wamid: 'wamid.scope-3' }));
    expect(await statusOf(id)).toMatchObject({ status: 'accepted' });
    await rt.db.query(`UPDATE messages SET wamid = NULL WHERE id = $1`, [id]);
    await deliver(A, { id: 'wamid.scope-3', status: 'delivered', timestamp: 1750030401 });
    const { moved } = await rt.db.tx((c) => recordWamid(c, rt.ctx.events, { messageId: id, wamid: 'wamid.scope-3' }));
    expect(moved).toBe(true);
    expect(await statusOf(id)).toMatchObject({ status: 'delivered' });
  });
});

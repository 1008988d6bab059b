/**
 * Issue 17 item 7 (loop guard): a customer's auto-responder answers every bot message, and the bot
 * answers every customer message (seen: 10,200 in, 10,189 bot messages). The sender lets at most
 * AUTO_REPLIES_PER_CONTACT_PER_HOUR automatic messages go to one contact in any rolling hour; every
 * message the customer writes is still stored and shown on the card.
 */
import { AUTO_REPLIES_PER_CONTACT_PER_HOUR as LIMIT } from '../../src/whatsapp/send-policy.js';
import { waitFor } from '../hubspot/helpers.js';
import { PNID, startStack, type Stack } from '../helpers/full-stack.js';

let s: Stack;

beforeAll(async () => {
  s = await startStack();
});
afterAll(async () => {
  await s?.close();
});

const AWAY = 'Gracias por su mensaje. Estoy fuera de la oficina hasta el lunes.';

/** The auto-responder: one answer to every message the business sends, until the business goes quiet. */
async function autoResponderLoop(wa: string, maxRounds: number): Promise<number> {
  let answered = 0;
  for (let round = 0; round < maxRounds; round++) {
    await s.rt.idle();
    const received = s.inbox(wa).length;
    if (received === answered) return answered;
    for (; answered < received; answered++) await s.meta.customer.sendText({ from: wa, to: PNID, text: AWAY });
  }
  throw new Error('the bot never stopped answering');
}

describe('loop guard', () => {
  it('stops the bot after the hourly limit; every customer message is still stored and shown; an hour later it answers again', async () => {
    const wa = '573007770100';
    await s.meta.customer.sendText({ from: wa, to: PNID, name: 'Distribuidora Auto SA', text: AWAY });
    const answered = await autoResponderLoop(wa, 4 * LIMIT);

    // The bot (consent prompts, reminders, "we gave up", a new conversation's prompt, …) stopped at the limit.
    expect(s.inbox(wa)).toHaveLength(LIMIT);
    expect(answered).toBe(LIMIT);
    const contact = await s.row('SELECT id FROM contacts WHERE phone_e164 = $1', [`+${wa}`]);
    const count = async (direction: string) => (await s.row(`SELECT count(*)::int AS n FROM messages WHERE contact_id = $1 AND direction = $2`, [contact.id, direction])).n;
    expect(await count('out')).toBe(LIMIT);
    expect(await count('in')).toBe(LIMIT + 1);

    // The card shows every message the customer wrote.
    const hs = (await waitFor(() => s.row('SELECT hubspot_contact_id FROM contacts WHERE id = $1 AND hubspot_contact_id IS NOT NULL', [contact.id]), 'linked'))
      .hubspot_contact_id as string;
    const view = await s.api('GET', `/api/v1/contacts/${hs}/conversation`);
    expect(view.status).toBe(200);
    expect(view.body.messages.filter((m: any) => m.direction === 'in' && m.text === AWAY)).toHaveLength(LIMIT + 1);

    // An hour later (the bot's messages are over an hour old) the bot answers the customer again.
    await s.rt.db.query(`UPDATE messages SET sent_at = sent_at - interval '61 minutes' WHERE contact_id = $1 AND direction = 'out'`, [contact.id]);
    await s.meta.customer.sendText({ from: wa, to: PNID, text: 'Hola, ya volví. ¿Me ayudan con un pedido?' });
    await waitFor(async () => s.inbox(wa).length === LIMIT + 1, 'the bot answers again');
  });
});

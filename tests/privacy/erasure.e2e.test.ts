/**
 * Issue 17 item 5: after a HubSpot `contact.privacyDeletion`, nothing of the person is left anywhere in the
 * database — not in the raw webhook bodies, the status history, stored API answers or queued jobs — except
 * the documented evidence record (README "Privacy", docs/hubspot.md), which holds no phone, name or text.
 */
import { payloads } from '../../simulators/meta/index.js';
import { PRIVACY_QUEUE } from '../../src/hubspot/privacy.js';
import { processWebhookEvent } from '../../src/whatsapp/ingest.js';
import { signedRequest } from '../helpers/signed.js';
import { waitFor } from '../hubspot/helpers.js';
import { findEverywhere, PNID, PROMO, startStack, WABA, type Stack } from '../helpers/full-stack.js';

let s: Stack;

beforeAll(async () => {
  s = await startStack();
});
afterAll(async () => {
  await s?.close();
});

const WA = '573009876543';
const NAME = 'Olga Quintero';
const OTHER_WA = '573001230000';

describe('privacy deletion erases the person everywhere', () => {
  it('leaves no phone (+E.164 or digits), name or message text in any table or column; other customers keep theirs', async () => {
    const first = 'Hola, soy Olga: mi pedido ZX-4471 no llega';
    const { contactId } = await s.consentedCustomer(WA, NAME, first);
    const hs = (await waitFor(() => s.row('SELECT hubspot_contact_id FROM contacts WHERE id = $1 AND hubspot_contact_id IS NOT NULL', [contactId]), 'linked'))
      .hubspot_contact_id as string;

    // A rep answers from the card (the API answer is kept for Idempotency-Key replays); the customer reads it.
    const repText = 'Claro Olga, el pedido ZX-4471 sale mañana hacia Calle 80 #12-34';
    const reply = await s.api('POST', `/api/v1/contacts/${hs}/messages`, { userId: s.portal.users[1]!.userId, body: { text: repText } });
    expect(reply.status).toBe(201);
    const sent = await waitFor(async () => s.inbox(WA).find((m) => m.text === repText), 'reply delivered');
    await s.meta.customer.read(sent.wamid);
    await waitFor(() => s.row(`SELECT 1 FROM messages WHERE id = $1 AND status = 'read'`, [Number(reply.body.message.id)]), 'read status');

    // One webhook body carrying her message and another customer's: only hers may go.
    const second = 'Y también cambié de dirección a Carrera 7 #45-10';
    const otherText = 'Buenas tardes, ¿abren el domingo?';
    const at = Math.floor(Date.now() / 1000);
    const number = { phoneNumberId: PNID, wabaId: WABA, displayPhoneNumber: '15550783881' };
    const shared = payloads.messagesEnvelope(number, {
      contacts: [
        { profile: { name: NAME }, wa_id: WA },
        { profile: { name: 'Otro Cliente' }, wa_id: OTHER_WA },
      ],
      messages: [
        payloads.textMessage({ from: WA, id: `wamid.privacy-1-${at}`, timestamp: at }, second),
        payloads.textMessage({ from: OTHER_WA, id: `wamid.privacy-2-${at}`, timestamp: at }, otherText),
      ],
    });
    expect((await s.meta.customer.sendRaw(shared)).status).toBe(200);
    await waitFor(() => s.row(`SELECT 1 FROM messages WHERE text = $1`, [otherText]), 'shared webhook processed');
    await waitFor(() => s.row(`SELECT 1 FROM messages WHERE text = $1`, [second]), 'her second message');
    // A campaign reached her too: its recipient row holds her phone and her template values.
    await waitFor(() => s.row(`SELECT 1 FROM message_templates WHERE name = $1 AND status = 'APPROVED'`, [PROMO.name]), 'template synced');
    const camp = await s.api('POST', '/api/v1/campaigns', {
      body: { name: 'Julio', phoneNumberId: PNID, templateName: PROMO.name, language: PROMO.language, recipients: [{ phone: `+${WA}`, parameters: [NAME, 'CUPON-OQ-77'] }] },
    });
    expect(camp.status).toBe(201);
    await waitFor(async () => s.inbox(WA).find((m) => m.text?.includes('CUPON-OQ-77')), 'campaign message');
    await s.rt.idle();

    // Every form her data takes; ASCII fragments too, since Meta's raw bodies escape accented letters.
    const needles = [`+${WA}`, WA, NAME, first, repText, second, 'Calle 80 #12-34', 'Carrera 7 #45-10', 'ZX-4471', 'CUPON-OQ-77'];
    expect((await findEverywhere(s.rt, needles)).length).toBeGreaterThan(0); // the search does find her before

    const event = s.hubspot.sim.privacyDeletionEvent({ portalId: s.portal.portalId, objectId: hs });
    const res = await signedRequest(s.rt.app, { method: 'POST', path: '/webhooks/hubspot', body: [event] });
    expect(res.status).toBe(200);
    const kept = await waitFor(() => s.row('SELECT * FROM hubspot_privacy_deletions WHERE hubspot_contact_id = $1', [hs]), 'deletion carried out');
    await s.rt.idle();

    expect(await findEverywhere(s.rt, needles)).toEqual([]);
    // The evidence record: consent state and date, counts, dates — and nothing that names her.
    expect(kept).toMatchObject({ portal_id: s.portal.portalId, consent: 'granted', opted_out: false, contacts_deleted: 1, messages_deleted: expect.any(Number) });
    expect(kept.consent_at).toBeInstanceOf(Date);
    expect(kept.messages_deleted).toBeGreaterThanOrEqual(5);
    // The campaign keeps its counts; the recipient row no longer says who it was.
    const campaign = await s.api('GET', `/api/v1/campaigns/${camp.body.campaign.id}`);
    expect(campaign.body.campaign.counts.total).toBe(1);
    // The other customer of the shared webhook keeps everything, raw body included.
    expect(await s.row(`SELECT 1 FROM messages WHERE text = $1`, [otherText])).toBeTruthy();
    const raw = await s.row(`SELECT raw_body FROM webhook_events WHERE position(convert_to($1, 'UTF8') IN raw_body) > 0`, [otherText]);
    expect(JSON.parse(raw.raw_body.toString('utf8')).entry[0].changes[0].value).toMatchObject({
      contacts: [{ wa_id: OTHER_WA }],
      messages: [{ from: OTHER_WA, text: { body: otherText } }],
    });
  });

  it('a webhook naming her that is still to be processed is waited for, so it cannot bring her back', async () => {
    const wa = '573004445500';
    const { contactId } = await s.consentedCustomer(wa, 'Rosa Pineda', 'Hola, soy Rosa');
    const hs = (await waitFor(() => s.row('SELECT hubspot_contact_id FROM contacts WHERE id = $1 AND hubspot_contact_id IS NOT NULL', [contactId]), 'linked'))
      .hubspot_contact_id as string;
    await s.rt.idle();
    // Stored as the webhook route stores it, its processing not run yet.
    const at = Math.floor(Date.now() / 1000);
    const late = 'Mi cedula es 52.987.654 (ROSA-LATE)';
    const body = payloads.inboundPayload({ phoneNumberId: PNID, wabaId: WABA, displayPhoneNumber: '15550783881' }, { name: 'Rosa Pineda', waId: wa },
      payloads.textMessage({ from: wa, id: `wamid.late-${at}`, timestamp: at }, late));
    const ev = await s.row('INSERT INTO webhook_events (raw_body) VALUES ($1) RETURNING id', [Buffer.from(JSON.stringify(body))]);

    const event = s.hubspot.sim.privacyDeletionEvent({ portalId: s.portal.portalId, objectId: hs });
    expect((await signedRequest(s.rt.app, { method: 'POST', path: '/webhooks/hubspot', body: [event] })).status).toBe(200);
    await waitFor(() => s.row(`SELECT 1 FROM pgboss.job WHERE name = $1 AND (data->>'deferrals')::int >= 1`, [PRIVACY_QUEUE]), 'deletion deferred');
    expect(await s.row('SELECT 1 FROM hubspot_privacy_deletions WHERE hubspot_contact_id = $1', [hs])).toBeUndefined();

    await processWebhookEvent(s.rt.ctx, Number(ev.id)); // the webhook job's turn comes
    expect(await s.row('SELECT 1 FROM messages WHERE text = $1', [late])).toBeTruthy();
    await waitFor(() => s.row('SELECT 1 FROM hubspot_privacy_deletions WHERE hubspot_contact_id = $1', [hs]), 'deletion carried out', 30_000);
    await s.rt.idle();
    expect(await findEverywhere(s.rt, [`+${wa}`, wa, 'Rosa Pineda', 'ROSA-LATE', 'Hola, soy Rosa'])).toEqual([]);
  });
});

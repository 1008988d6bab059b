/**
 * Issue 17 item 6: once the app learns a portal uninstalled it (HubSpot refuses its refresh token:
 * invalid_grant), nothing more is sent for it — no consent bot, no campaign — while customers' messages
 * are still stored; and its WhatsApp number can be connected at once by another portal that proves a
 * valid Meta token for it.
 */
import { waitFor } from '../hubspot/helpers.js';
import { PNID, PROMO, startStack, TOKEN, type Stack } from '../helpers/full-stack.js';

let s: Stack;

beforeAll(async () => {
  s = await startStack();
});
afterAll(async () => {
  await s?.close();
});

const graphSends = () => s.meta.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/${PNID}/messages`) && (r.body as any)?.status !== 'read').length;
const campaignSends = () => [...s.meta.state.messages.values()].filter((m) => m.type === 'template').length;

describe('uninstall', () => {
  it('stops every send at once, keeps storing what customers write, and frees the number for a portal with a valid token', async () => {
    const a = s.portal.portalId;
    // While A has the app installed, nobody else can take its number, whatever token they bring.
    const b = await s.installPortal();
    await s.configure(b.portalId);
    const refused = await s.connectNumber(b.portalId);
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toMatchObject({ phoneNumberId: 'already connected to another HubSpot account' });

    const { contactId } = await s.consentedCustomer('573001110001', 'Ana Ruiz', 'Hola');
    // A campaign is going out, slowly (2 a second), when the customer removes the app in HubSpot.
    expect((await s.api('PATCH', `/api/v1/whatsapp-numbers/${PNID}`, { body: { messagesPerSecond: 2 } })).status).toBe(200);
    await waitFor(() => s.row(`SELECT 1 FROM message_templates WHERE name = $1 AND status = 'APPROVED'`, [PROMO.name]), 'template synced');
    const recipients = Array.from({ length: 12 }, (_, i) => ({ phone: `+5730022${String(i).padStart(5, '0')}`, parameters: ['Ana', `C${i}`] }));
    const camp = await s.api('POST', '/api/v1/campaigns', { body: { name: 'Julio', phoneNumberId: PNID, templateName: PROMO.name, language: PROMO.language, recipients, optInAttested: true } });
    expect(camp.status).toBe(201);
    await waitFor(async () => campaignSends() >= 1, 'campaign started');

    s.hubspot.sim.uninstall(a);
    // The app finds out on its next HubSpot call (here: logging the customer's next message on the timeline).
    await s.meta.customer.sendText({ from: '573001110001', to: PNID, text: '¿Siguen ahí?' });
    await waitFor(() => s.row(`SELECT 1 FROM portals WHERE id = $1 AND status = 'uninstalled'`, [a]), 'uninstall detected');
    // (The extension API answers nothing for an uninstalled portal: the campaign is read in the database.)
    await waitFor(() => s.row(`SELECT 1 FROM campaigns WHERE id = $1 AND status = 'paused'`, [camp.body.campaign.id]), 'campaign paused');
    await s.rt.idle();
    // The recipients not reached wait (pending) for a reinstall and a resume.
    const waiting = await s.row(`SELECT count(*)::int AS n FROM campaign_recipients WHERE campaign_id = $1 AND state = 'pending'`, [camp.body.campaign.id]);
    expect(waiting.n).toBeGreaterThanOrEqual(8);
    const sendsAfterUninstall = graphSends();
    const campaignAfterUninstall = campaignSends();

    // A new customer writes: stored (nothing lost), no consent prompt, nothing at all to Meta.
    const wa = '573001110002';
    await s.meta.customer.sendText({ from: wa, to: PNID, name: 'Nuevo Cliente', text: 'Hola, ¿hacen envíos?' });
    const stored = await waitFor(() => s.row(`SELECT m.* FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE c.phone_e164 = $1`, [`+${wa}`]), 'message stored');
    expect(stored).toMatchObject({ portal_id: a, direction: 'in', text: 'Hola, ¿hacen envíos?' });
    await s.rt.idle();
    expect(s.inbox(wa)).toEqual([]);
    expect(graphSends()).toBe(sendsAfterUninstall);
    expect(campaignSends()).toBe(campaignAfterUninstall);
    expect((await s.row(`SELECT count(*)::int AS n FROM messages WHERE contact_id = $1 AND direction = 'in'`, [contactId])).n).toBe(3);

    // Another portal proves a valid token for the number: it is theirs now, and their bot answers.
    const wrong = await s.connectNumber(b.portalId, 'EAAwrong-token-0123456789-abcdefghij');
    expect(wrong.status).toBe(422);
    expect(await s.row('SELECT portal_id FROM whatsapp_numbers WHERE phone_number_id = $1', [PNID])).toMatchObject({ portal_id: a });
    const taken = await s.connectNumber(b.portalId, TOKEN);
    expect(taken.status).toBe(201);
    expect(taken.body.number).toMatchObject({ phoneNumberId: PNID, tokenStatus: 'valid' });
    expect(await s.row('SELECT portal_id FROM whatsapp_numbers WHERE phone_number_id = $1', [PNID])).toMatchObject({ portal_id: b.portalId });
    const next = '573001110003';
    await s.meta.customer.sendText({ from: next, to: PNID, name: 'Otra Cliente', text: 'Buenos días' });
    await waitFor(async () => s.inbox(next).find((m) => m.type === 'interactive'), "portal B's consent prompt");
    expect(await s.row('SELECT portal_id FROM contacts WHERE phone_e164 = $1', [`+${next}`])).toMatchObject({ portal_id: b.portalId });
  });
});

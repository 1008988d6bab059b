/**
 * Campaigns end to end (issue 14): the app against the Meta and HubSpot simulators — audience checks,
 * consent skips, pacing the simulator can verify, per-recipient results, timeline logging, replies.
 */
import { throughputReport } from '../../simulators/meta/index.js';
import { liveComms } from '../hubspot/helpers.js';
import { consented, PNID, PROMO, phoneOf, sendsPerPhone, startEnv, waitFor, waOf, type Env } from './helpers.js';

let env: Env;
const RATE = 20;

beforeAll(async () => {
  env = await startEnv({ hubspot: true, mps: RATE });
  const patch = await env.api('PATCH', `/api/v1/whatsapp-numbers/${PNID}`, { body: { messagesPerSecond: RATE, label: 'Promos' } });
  expect(patch.status).toBe(200);
  expect(patch.body.number).toMatchObject({ phoneNumberId: PNID, label: 'Promos', messagesPerSecond: RATE });
}, 180_000);
afterAll(async () => {
  await env?.close();
});

const campaign = (body: Record<string, unknown>) =>
  env.api('POST', '/api/v1/campaigns', { body: { name: 'Julio', phoneNumberId: PNID, templateName: PROMO.name, language: PROMO.language, ...body } });
const row = (i: number, params = ['Ana', `C${i}`]) => [phoneOf(i), ...params].join(',');
const finished = (id: number) =>
  waitFor(async () => {
    const r = await env.api('GET', `/api/v1/campaigns/${id}`);
    return r.body.campaign.status === 'completed' && r.body.campaign.counts.pending === 0 && r.body.campaign;
  }, 60_000, 'campaign completed');

describe('audience checks', () => {
  it('refuses a CSV with one bad row whole, naming the rows, and creates nothing', async () => {
    const r = await campaign({ csv: ['phone,name,code', row(1), 'not-a-phone,Ana,C2', row(3, ['Ana']), `${phoneOf(4)},Ana,"two     spaces"`].join('\n') });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('VALIDATION');
    expect(Object.keys(r.body.error.details).sort()).toEqual(['recipients.1.phone', 'recipients.2.parameters', 'recipients.3.parameters.1']);
    expect(r.body.error.message).toContain('nothing was created');
    expect((await env.rt.db.query('SELECT count(*)::int AS n FROM campaigns')).rows[0].n).toBe(0);
    expect((await env.rt.db.query(`SELECT count(*)::int AS n FROM contacts WHERE phone_e164 = $1`, [`+${waOf(1)}`])).rows[0].n).toBe(0);
  });

  it('offers a sample CSV for the template: phone, then one column per placeholder', async () => {
    const r = await env.api('GET', '/api/v1/campaigns/sample.csv', { query: { phoneNumberId: PNID, templateName: PROMO.name, language: PROMO.language } });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('text/csv');
    const [header, example] = r.text.trim().split('\r\n');
    expect(header).toBe('phone,body_1,body_2');
    expect(example).toBe('+573001234567,Ana,JUL10');
  });
});

describe('a campaign sent', () => {
  let id: number;
  const consentedIdx = Array.from({ length: 30 }, (_, i) => 100 + i);

  beforeAll(async () => {
    await consented(env.rt.db, env.portalId, [...consentedIdx, 200, 201, 202]);
    await env.rt.db.query(`UPDATE contacts SET opted_out = true, opted_out_at = now() WHERE phone_e164 = ANY($1::text[])`, [[200, 201, 202].map((i) => `+${waOf(i)}`)]);
    const recipients = [
      ...consentedIdx.map((i) => ({ phone: phoneOf(i), parameters: ['Ana', `C${i}`] })),
      ...[200, 201, 202].map((i) => ({ phone: `+${waOf(i)}`, parameters: ['Opt', 'Out'] })),
      ...[300, 301, 302, 303, 304].map((i) => ({ phone: phoneOf(i), parameters: ['No', 'Consent'] })),
      { phone: `+57 ${phoneOf(100)}`, parameters: ['Dup', 'Licate'] },
      { phone: `00${waOf(101)}`, parameters: ['Dup', 'Licate'] },
    ];
    const t0 = Date.now();
    const r = await campaign({ recipients });
    expect(r.status).toBe(201);
    id = r.body.campaign.id;
    expect(r.body.campaign).toMatchObject({ status: 'running', counts: { total: 40, skipped: 10 } });
    await finished(id);
    // 30 sends at 20/s: at least ~1.4 s, and the simulator never saw more than the rate in any second.
    const report = throughputReport(env.sim.state, PNID, t0);
    expect(report.throughputErrors).toBe(0);
    expect(report.maxInAnyWindow).toBeLessThanOrEqual(RATE);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
  });

  it('sends each consented recipient exactly once and skips the rest with their codes', async () => {
    const perPhone = sendsPerPhone(env.sim);
    expect(consentedIdx.every((i) => perPhone.get(waOf(i)) === 1)).toBe(true);
    expect([200, 201, 202, 300, 301].some((i) => perPhone.has(waOf(i)))).toBe(false);
    const skipped = (await env.api('GET', `/api/v1/campaigns/${id}/recipients`, { query: { status: 'skipped' } })).body.recipients;
    const codes = Object.fromEntries(skipped.map((r: any) => [r.phone, r.reason]));
    expect(codes).toMatchObject({ [`+${waOf(200)}`]: 'OPTED_OUT', [`+${waOf(300)}`]: 'NO_CONSENT' });
    expect(skipped.filter((r: any) => r.reason === 'DUPLICATE').map((r: any) => r.phone).sort()).toEqual([`+${waOf(100)}`, `+${waOf(101)}`]);
  });

  it('reports each recipient through the status webhooks, pages with a cursor, and exports the results as CSV', async () => {
    await waitFor(async () => (await env.api('GET', `/api/v1/campaigns/${id}`)).body.campaign.counts.delivered === 30, 20_000, 'delivered statuses');
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = (await env.api('GET', `/api/v1/campaigns/${id}/recipients`, { query: cursor ? { cursor, limit: 15 } : { limit: 15 } })).body;
      seen.push(...page.recipients);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(40);
    expect(seen.filter((r) => r.status === 'delivered')).toHaveLength(30);
    expect(seen.find((r) => r.phone === `+${waOf(100)}` && r.status === 'delivered').messageId).toEqual(expect.any(Number));
    const csv = await env.api('GET', `/api/v1/campaigns/${id}/results.csv`);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('row,phone,hubspot_contact_id,status,reason,message_id');
    expect(lines).toHaveLength(41);
    expect(lines.find((l) => l.includes(waOf(300)))).toContain(',skipped,NO_CONSENT,');
  });

  it('logs every send on the contact timeline in HubSpot, in batches', async () => {
    const logged = await waitFor(() => {
      const comms = liveComms(env.portal!).filter((c) => JSON.stringify(c.properties).includes('vence pronto'));
      return comms.length >= 30 && comms;
    }, 30_000, 'timeline');
    expect(logged).toHaveLength(30);
    const r = (await env.api('GET', `/api/v1/campaigns/${id}/recipients`, { query: { status: 'delivered', limit: 1 } })).body.recipients[0];
    expect(r.contactId).toMatch(/^\d+$/); // matched to (or created as) a HubSpot contact like an inbound sender
  });

  it('a reply to the campaign opens a normal conversation, routed to an agent', async () => {
    const wa = waOf(105);
    await env.sim.customer.sendText({ from: wa, to: PNID, text: 'Me interesa la promo' });
    const conv = await waitFor(async () => {
      const r = await env.rt.db.query(
        `SELECT cv.* FROM conversations cv JOIN contacts c ON c.id = cv.contact_id WHERE c.phone_e164 = $1 AND cv.status = 'open' AND cv.assignee_agent_id IS NOT NULL`,
        [`+${wa}`],
      );
      return r.rows[0];
    }, 20_000, 'routed conversation');
    expect(conv.phone_number_id).toBe(PNID);
  });
});

describe('attested opt-in', () => {
  it('sends to recipients without recorded consent and records who attested, when and for which campaign', async () => {
    const r = await campaign({ name: 'Lista importada', optInAttested: true, recipients: [400, 401].map((i) => ({ phone: phoneOf(i), parameters: ['Leo', 'X1'] })) });
    expect(r.status).toBe(201);
    expect(r.body.campaign.counts).toMatchObject({ total: 2, skipped: 0 });
    await finished(r.body.campaign.id);
    expect(sendsPerPhone(env.sim).get(waOf(400))).toBe(1);
    const ev = (await env.rt.db.query(`SELECT cr.* FROM consent_records cr JOIN contacts c ON c.id = cr.contact_id WHERE c.phone_e164 = $1`, [`+${waOf(401)}`])).rows;
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ decision: 'granted', method: 'campaign_attestation', phone_number_id: PNID });
    expect(ev[0].answer_text).toContain(`user ${env.admin}`);
    expect(ev[0].answer_text).toContain(`campaign ${r.body.campaign.id}`);
  });
});

describe('HubSpot contacts for the audience', () => {
  it('links an audience new to HubSpot 100 contacts per search and per create, ahead of the sends', async () => {
    // 120 recipients at 20/s take 6 s: left to the timeline, every batch (about a second of sends)
    // would search and create its own contacts, 6 of each or more.
    const idx = Array.from({ length: 120 }, (_, k) => 600 + k);
    await consented(env.rt.db, env.portalId, idx);
    const stats = env.rt.services.hubspot!.core.stats;
    const before = { ...stats.byLabel };
    const delta = (label: string) => (stats.byLabel[label] ?? 0) - (before[label] ?? 0);
    const r = await campaign({ name: 'Lote grande', recipients: idx.map((i) => ({ phone: phoneOf(i), parameters: ['Ana', `L${i}`] })) });
    expect(r.status).toBe(201);
    await finished(r.body.campaign.id);
    const logged = async () =>
      (
        await env.rt.db.query(
          `SELECT count(*)::int AS n FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE c.wa_id = ANY($1::text[]) AND m.hubspot_communication_id IS NOT NULL`,
          [idx.map(waOf)],
        )
      ).rows[0].n;
    await waitFor(async () => (await logged()) === 120, 30_000, 'timeline');
    const linked = await env.rt.db.query(`SELECT count(*)::int AS n FROM contacts WHERE wa_id = ANY($1::text[]) AND hubspot_contact_id IS NOT NULL`, [idx.map(waOf)]);
    expect(linked.rows[0].n).toBe(120);
    expect(delta('contacts.search')).toBeLessThanOrEqual(3);
    expect(delta('contacts.batch.create')).toBeLessThanOrEqual(3);
  });
});

/**
 * `npm run bench:campaign` — a campaign of N recipients (default 10,000) on one number at 80 msg/s,
 * then at 250 msg/s, while an agent sends one-to-one replies (2 per second) on the same number. The app
 * runs against the Meta simulator (which answers 130429 past the number's rate) and the HubSpot simulator
 * (HubSpot's per-portal limits) with every send logged on the timeline.
 *
 * Prints the achieved campaign rate against the configured one, 130429s, the p99 of the 1:1 replies
 * during the campaign, HubSpot calls per logged message and 429s, each beside its goal.
 * PostgreSQL: DATABASE_URL when set (a scratch database), else the embedded one.
 * Options: --recipients=N (default 10000) --rates=80,250 --timeline-wait=s (default 120)
 */
import { performance } from 'node:perf_hooks';
import { throughputReport } from '../simulators/meta/index.js';
import { PNID, PROMO, startEnv, waitFor, type Env } from '../tests/campaigns/helpers.js';
import { loggedCount } from '../tests/hubspot/helpers.js';

const arg = (name: string, def: string): string => process.argv.find((x) => x.startsWith(`--${name}=`))?.split('=')[1] ?? def;
const RECIPIENTS = Number(arg('recipients', '10000'));
const RATES = arg('rates', '80,250').split(',').map(Number);
const TIMELINE_WAIT_S = Number(arg('timeline-wait', '120'));
const REPLY_CUSTOMERS = ['573110000001', '573110000002', '573110000003', '573110000004', '573110000005'];

const p99 = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]! : NaN);
const mark = (ok: boolean) => (ok ? 'ok ' : 'MISS');
let phoneBase = 3_200_000_000;

async function phase(env: Env, rate: number, agentContacts: number[]): Promise<boolean> {
  await env.api('PATCH', `/api/v1/whatsapp-numbers/${PNID}`, { body: { messagesPerSecond: rate } });
  env.sim.state.numbers.get(PNID)!.throughputMps = rate;
  const phones = Array.from({ length: RECIPIENTS }, () => `+57${++phoneBase}`);
  await env.rt.db.query(
    `INSERT INTO contacts (portal_id, wa_id, phone_e164, consent, consent_at) SELECT $1, substr(p, 2), p, 'granted', now() FROM unnest($2::text[]) p ON CONFLICT DO NOTHING`,
    [env.portalId, phones],
  );
  const errorsBefore = throughputReport(env.sim.state, PNID).throughputErrors;
  const hs = env.rt.services.hubspot!.core.stats;
  const callsBefore = hs.total;
  const byLabelBefore = { ...hs.byLabel };
  const limitedBefore = hs.rateLimited;
  const loggedBefore = await loggedCount(env.rt.db, env.portalId);
  const t0 = Date.now();
  const created = await env.api('POST', '/api/v1/campaigns', {
    body: { name: `bench ${rate}`, phoneNumberId: PNID, templateName: PROMO.name, language: PROMO.language, recipients: phones.map((phone, i) => ({ phone, parameters: ['Ana', `B${i}`] })) },
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body).slice(0, 300)}`);
  const id = created.body.campaign.id;

  // One-to-one replies meanwhile, 2 per second, each timed from the call to Meta's accept.
  const replyLatencies: number[] = [];
  let replying = true;
  const replies = (async () => {
    for (let n = 0; replying; n++) {
      const started = performance.now();
      const contactId = agentContacts[n % agentContacts.length]!;
      void env.rt.services.whatsapp!
        .send({ portalId: env.portalId, contactId, phoneNumberId: PNID, sender: 'agent', content: { kind: 'text', text: `Respuesta ${n}` } })
        .then(() => replyLatencies.push(performance.now() - started), () => undefined);
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  await waitFor(async () => (await env.api('GET', `/api/v1/campaigns/${id}`)).body.campaign.status === 'completed', RECIPIENTS * (2000 / rate) + 120_000, 'campaign');
  replying = false;
  await replies;
  const sends = [...env.sim.state.messages.values()].filter((m) => m.template?.name === PROMO.name && m.createdAt >= t0).map((m) => m.createdAt).sort((a, b) => a - b);
  const spanS = (sends.at(-1)! - sends[0]!) / 1000;
  const achieved = (sends.length - 1) / spanS;
  const report = throughputReport(env.sim.state, PNID, t0);
  const errors = report.throughputErrors - errorsBefore;
  // The timeline: wait (bounded) until every campaign message is logged.
  const target = loggedBefore + sends.length;
  const deadline = Date.now() + TIMELINE_WAIT_S * 1000;
  while (Date.now() < deadline && (await loggedCount(env.rt.db, env.portalId)) < target) await new Promise((r) => setTimeout(r, 500));
  const logged = (await loggedCount(env.rt.db, env.portalId)) - loggedBefore;
  const calls = hs.total - callsBefore;
  const perMsg = logged ? calls / logged : NaN;
  const limited = hs.rateLimited - limitedBefore;
  const r99 = p99(replyLatencies);
  const goals = [achieved >= 0.95 * rate, errors === 0, r99 < 1000, perMsg <= 0.05, limited === 0];
  console.log(`\n${RECIPIENTS} recipients at ${rate} msg/s (${sends.length} sent in ${spanS.toFixed(1)} s):`);
  console.log(`  ${mark(goals[0]!)} achieved rate        ${achieved.toFixed(1)} msg/s = ${((achieved / rate) * 100).toFixed(1)}% of ${rate}   (goal ≥ 95%)`);
  console.log(`  ${mark(goals[1]!)} 130429 errors        ${errors}   (goal 0; most in any 1 s window: ${report.maxInAnyWindow})`);
  console.log(`  ${mark(goals[2]!)} 1:1 reply p99        ${r99.toFixed(0)} ms over ${replyLatencies.length} replies   (goal < 1000 ms)`);
  console.log(`  ${mark(goals[3]!)} HubSpot calls/msg    ${perMsg.toFixed(4)} (${calls} calls, ${logged}/${sends.length} logged)   (goal ≤ 0.05)`);
  console.log(`  ${mark(goals[4]!)} HubSpot 429s         ${limited}   (goal 0)`);
  const byLabel = Object.entries(hs.byLabel).map(([k, n]) => [k, n - (byLabelBefore[k] ?? 0)] as const).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  console.log(`      HubSpot calls by kind: ${byLabel.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  return goals.every(Boolean);
}

async function main(): Promise<void> {
  const started = Date.now();
  const env = await startEnv({ hubspot: true });
  console.log(`bench:campaign — ${process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded PostgreSQL (PGlite)'}, ${RECIPIENTS} recipients per phase`);
  try {
    // The agent's customers wrote first (open window) and are linked, like any conversation.
    for (const wa of REPLY_CUSTOMERS) await env.sim.customer.sendText({ from: wa, to: PNID, text: 'Hola' });
    const r = await env.rt.db.query(
      `INSERT INTO contacts (portal_id, wa_id, phone_e164, consent) SELECT $1, w, '+' || w, 'granted' FROM unnest($2::text[]) w
       ON CONFLICT (portal_id, phone_e164) WHERE phone_e164 IS NOT NULL DO UPDATE SET consent = 'granted' RETURNING id`,
      [env.portalId, REPLY_CUSTOMERS],
    );
    const agentContacts = r.rows.map((x) => Number(x.id));
    let ok = true;
    for (const rate of RATES) ok = (await phase(env, rate, agentContacts)) && ok;
    console.log(`\n${ok ? 'all goals met' : 'some goals missed'} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  } finally {
    await env.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

// The demo's past: a few weeks of conversations with the three agents, played through the real
// conversation code (inbound handling, routing, agent replies, transfers, resolutions) on a fake
// clock, so the manager dashboard has figures on first start. Nothing here writes report rows:
// the conversation code records its reporting events as it would live.
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../src/app-context.js';
import { ManualClock } from '../../src/clock.js';
import { ConversationsService } from '../../src/conversations/index.js';
import { ConsentBot } from '../../src/consent/index.js';
import type { MessageRow } from '../../src/conversations/types.js';
import type { ConversationSeams } from '../../src/conversations/index.js';
import type { OutboundRequest } from '../../src/whatsapp/types.js';
import type { SendOptions } from '../../src/seams.js';
import { setPlan } from '../../src/plans/index.js';
import { SettingsService } from '../../src/settings/settings-service.js';
import { DEMO_NUMBER, DEMO_PORTAL } from './fixtures.js';

const DAYS = 21;
const MARK = 'Historial';
const MIN = 60_000;

/** A small deterministic generator: the same history on every fresh start. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/**
 * Marks a history message as already on the timeline: the messages table is the timeline's queue, and
 * the live runtime's drain would otherwise log the past to the simulated HubSpot, find no `hist-N`
 * contact there, and re-link the contact to a new one while the history is still being played (the
 * next reply then finds no contact and the demo's start fails, as it did under load).
 */
const OFF_TIMELINE = 'demo-history';

/** Sends are recorded as delivered messages at the fake clock's time; nothing reaches Meta or HubSpot. */
function historySeams(ctx: AppContext, clock: ManualClock): ConversationSeams {
  return {
    sender: { send: (req, opts) => recordSend(ctx, clock, req, opts), mediaOf: async () => null },
    directory: { owners: async () => [], contactOwnerId: async () => null, lookupHubSpotContact: async () => undefined },
    tasks: { enqueueTask: async () => {}, completeTask: async () => {} },
    consent: { mirrorConsent: async () => {} },
  };
}

async function recordSend(ctx: AppContext, clock: ManualClock, req: OutboundRequest, opts?: SendOptions): Promise<MessageRow> {
  const c = req.content;
  const text = c.kind === 'text' ? c.text : c.kind === 'template' ? `[${c.name}]` : null;
  // Like the real sender: the caller's change (the rep's reply joins its conversation, the first
  // response the dashboard counts) commits with the row.
  return ctx.db.tx(async (tx) => {
    const r = await tx.query<MessageRow>(
      `INSERT INTO messages (portal_id, contact_id, conversation_id, phone_number_id, wamid, client_key, direction, type, text, payload, status,
         sender, agent_id, sent_at, status_at, hubspot_communication_id)
       VALUES ($1, $2, $3, $4, $5, $6, 'out', $7, $8, '{}', 'read', $9, $10, $11, $11, $12) RETURNING *`,
      [req.portalId, req.contactId, req.conversationId ?? null, req.phoneNumberId, `wamid.hist.${randomBytes(8).toString('hex')}`,
        req.clientKey ?? null, c.kind === 'template' ? 'template' : 'text', text, req.sender, req.agentId ?? null, clock.now(), OFF_TIMELINE],
    );
    await opts?.onStored?.(tx, r.rows[0]!);
    return r.rows[0]!;
  });
}

/** The app's context with the fake clock and no outward effects (no jobs, no events to HubSpot). */
function historyContext(ctx: AppContext, clock: ManualClock): AppContext {
  const jobs = Object.assign(Object.create(ctx.jobs), { send: async () => null, notify: () => {} });
  const events = Object.assign(Object.create(ctx.events), { emit: async () => {}, notify: () => {} });
  return { ...ctx, clock, jobs, events };
}

/** Seeds the history once (skipped when the database already has it). Returns the conversations played. */
export async function seedHistory(ctx: AppContext, o: { now?: Date; log?: (line: string) => void } = {}): Promise<number> {
  const portalId = DEMO_PORTAL.portalId;
  const done = await ctx.db.query('SELECT 1 FROM contacts WHERE portal_id = $1 AND profile_name LIKE $2 LIMIT 1', [portalId, `${MARK} %`]);
  if (done.rowCount) return 0;
  // The demo plan: the three agents, room for the history and the live customers.
  await setPlan(ctx.db.pool, portalId, { name: 'Demo', activeContacts: 500, seats: 3 });
  const agents = (
    await ctx.db.query<{ id: number; user_id: number }>('SELECT id, user_id FROM agents WHERE portal_id = $1 AND active ORDER BY id', [portalId])
  ).rows;
  if (!agents.length) return 0;
  const clock = new ManualClock(o.now ?? new Date());
  const hctx = historyContext(ctx, clock);
  const settings = new SettingsService(hctx);
  const seams = historySeams(hctx, clock);
  const svc = new ConversationsService({ ctx: hctx, settings, ...seams, consentBot: new ConsentBot({ mirror: seams.consent, events: hctx.events }) });
  const labels = (await settings.get(portalId)).resolutionLabels.filter((l) => l !== 'Spam');
  const started = Date.now();
  const rand = prng(20260301);
  const today = new Date(o.now ?? new Date());
  today.setUTCHours(13, 0, 0, 0); // 08:00 in Bogotá
  let n = 0;
  for (let d = DAYS; d >= 1; d--) {
    const dayStart = today.getTime() - d * 86_400_000;
    const weekend = [0, 6].includes(new Date(dayStart).getUTCDay());
    const count = weekend ? 1 + Math.floor(rand() * 2) : 3 + Math.floor(rand() * 3);
    for (let i = 0; i < count; i++) {
      n++;
      await playConversation(svc, hctx, clock, { n, at: new Date(dayStart + rand() * 9 * 60 * MIN), rand, labels, agents });
    }
  }
  o.log?.(`  ✓ demo history: ${n} conversations over ${DAYS} days through the conversation code (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return n;
}

interface Play {
  n: number;
  at: Date;
  rand: () => number;
  labels: string[];
  agents: { id: number; user_id: number }[];
}

/** One customer conversation: writes, is routed, maybe answered, maybe transferred, maybe resolved. */
async function playConversation(svc: ConversationsService, ctx: AppContext, clock: ManualClock, p: Play): Promise<void> {
  const portalId = DEMO_PORTAL.portalId;
  const pn = DEMO_NUMBER.phoneNumberId;
  const hubspotId = `hist-${p.n}`;
  const wa = `57310${String(7_000_000 + p.n)}`;
  const contact = await ctx.db.query<{ id: number }>(
    `INSERT INTO contacts (portal_id, wa_id, phone_e164, profile_name, hubspot_contact_id, consent, consent_at)
     VALUES ($1, $2, $3, $4, $5, 'granted', $6) RETURNING id`,
    [portalId, wa, `+${wa}`, `${MARK} ${p.n}`, hubspotId, p.at],
  );
  const contactId = Number(contact.rows[0]!.id);
  clock.set(p.at.getTime() + Math.floor(p.rand() * 20) * 1000); // Meta sometimes delivers a little late
  const msg = await ctx.db.query<{ id: number }>(
    `INSERT INTO messages (portal_id, contact_id, phone_number_id, wamid, direction, type, text, payload, status, sender, sent_at, hubspot_communication_id)
     VALUES ($1, $2, $3, $4, 'in', 'text', 'Hola, necesito ayuda con mi pedido', '{}', 'received', 'customer', $5, $6) RETURNING id`,
    [portalId, contactId, pn, `wamid.hist.in.${p.n}`, p.at, OFF_TIMELINE],
  );
  await svc.handleInbound(Number(msg.rows[0]!.id));
  const conv = (await ctx.db.query<{ id: number; assignee_agent_id: number | null }>('SELECT id, assignee_agent_id FROM conversations WHERE contact_id = $1', [contactId])).rows[0];
  if (!conv?.assignee_agent_id || p.rand() < 0.12) return; // some are never answered
  const agent = p.agents.find((a) => Number(a.id) === Number(conv.assignee_agent_id));
  if (!agent) return;
  const caller = { portalId, userId: Number(agent.user_id) };
  clock.set(p.at.getTime() + (1 + Math.floor(p.rand() * 40)) * MIN + Math.floor(p.rand() * 60) * 1000);
  await svc.sends.sendText(caller, hubspotId, { text: '¡Hola! Con gusto te ayudo.' });
  if (p.rand() < 0.08) {
    const other = p.agents.find((a) => a.id !== agent.id)!;
    clock.set(clock.now().getTime() + 5 * MIN);
    await svc.actions.transfer({ portalId, userId: DEMO_PORTAL.admin.userId }, String(conv.id), { agentId: String(other.id) });
    return;
  }
  if (p.rand() < 0.2) return; // still open
  clock.set(clock.now().getTime() + (5 + Math.floor(p.rand() * 90)) * MIN);
  await svc.actions.resolve(caller, String(conv.id), { label: p.labels[Math.floor(p.rand() * p.labels.length)] ?? 'Resolved' });
}

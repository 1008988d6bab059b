import type { ConsentTurn } from '../consent/index.js';
import { assignTo, routeConversation } from '../conversations/assignment.js';
import type { BotFlowHooks, ConversationDeps } from '../conversations/deps.js';
import { SEND_QUEUE, type AutoSend } from '../conversations/outbound.js';
import { addEvent, updateConversation } from '../conversations/repo.js';
import type { ConversationRow, MessageRow } from '../conversations/types.js';
import type { ContactPropertyWriter } from '../seams.js';
import { isCustomProperty, propertyLabelOf, type BotRoute, type BotStep } from '../settings/automation.js';
import { isAvailable, type AgentRow } from '../settings/agents.js';
import type { OutboundContent } from '../whatsapp/types.js';
import { FLOW_TEXT, retryMessage, stepMessage, understand, wantsAgent, type Lang } from './engine.js';

/** The inbound turn the conversations domain hands over (its `Turn`). */
export interface FlowTurn extends ConsentTurn {
  d: ConversationDeps;
  contactOwnerId: string | null | undefined;
}

interface Session {
  conversation_id: number;
  step: number;
  attempts: number;
  answers: Record<string, string>;
  state: 'running' | 'done';
}

/** What the customer's message says (typed, tapped button title) and the tapped button's id. */
function answerOf(m: MessageRow): { text: string | null; buttonId: string | null } {
  const p = (m.payload ?? {}) as Record<string, any>;
  if (m.type === 'interactive') {
    return { text: p.interactive?.button_reply?.title ?? p.interactive?.list_reply?.title ?? m.text, buttonId: p.interactive?.button_reply?.id ?? p.interactive?.list_reply?.id ?? null };
  }
  if (m.type === 'button') return { text: p.button?.text ?? m.text, buttonId: p.button?.payload ?? null };
  return { text: m.type === 'text' ? (p.text?.body ?? m.text) : null, buttonId: null };
}

async function say(t: FlowTurn, conv: ConversationRow, n: string, content: OutboundContent, delaySeconds = 0): Promise<void> {
  const s: AutoSend = {
    portalId: conv.portal_id,
    contactId: conv.contact_id,
    phoneNumberId: conv.phone_number_id,
    conversationId: conv.id,
    sender: 'bot',
    clientKey: `in:${t.msg.id}:botflow:${n}`,
    content,
  };
  // The flow's first message waits a moment, so it follows the consent bot's thanks on the phone.
  await t.d.ctx.jobs.send(SEND_QUEUE, s, { client: t.c, singletonKey: s.clientKey, fairKey: `portal:${s.portalId}`, ...(delaySeconds ? { startAfterSeconds: delaySeconds } : {}) });
}

const event = (t: FlowTurn, conv: ConversationRow, detail: Record<string, unknown>) =>
  addEvent(t.c, { portalId: conv.portal_id, conversationId: conv.id, kind: 'bot_flow', at: t.now, detail });

/** Menu option "agents": the available one of those agents assigned least recently. */
async function pickAgent(t: FlowTurn, conv: ConversationRow, ids: string[]): Promise<AgentRow | null> {
  const r = await t.c.query<AgentRow>(`SELECT * FROM agents WHERE portal_id = $1 AND active AND id = ANY($2::bigint[]) ORDER BY last_assigned_at NULLS FIRST, id`, [
    conv.portal_id,
    ids.filter((x) => /^\d{1,15}$/.test(x)).map(Number),
  ]);
  return r.rows.find((a) => isAvailable(a, t.now, t.settings.businessHours.timeZone)) ?? null;
}

/** Routes by the menu choice: the usual pool, some agents, or another number's team. */
async function routeTo(t: FlowTurn, conv: ConversationRow, route: BotRoute): Promise<ConversationRow> {
  const o = { now: t.now, settings: t.settings, contactOwnerId: t.contactOwnerId };
  if (route.to === 'agents') {
    const agent = await pickAgent(t, conv, route.agentIds);
    if (agent) return assignTo(t.d, t.c, conv, agent, { now: t.now, settings: t.settings, method: 'bot_flow' });
    return routeConversation(t.d, t.c, conv, o);
  }
  if (route.to === 'number') {
    const pn = route.phoneNumberId;
    const settings = { ...t.settings, routing: { ...t.settings.routing, perNumber: { ...t.settings.routing.perNumber, [pn]: 'number_pool' as const } } };
    return routeConversation(t.d, t.c, { ...conv, phone_number_id: pn }, { ...o, settings });
  }
  return routeConversation(t.d, t.c, conv, o);
}

async function finish(t: FlowTurn, conv: ConversationRow, route: BotRoute, why: string): Promise<void> {
  await t.c.query(`UPDATE bot_flow_sessions SET state = 'done', route = $2, updated_at = $3 WHERE conversation_id = $1`, [conv.id, JSON.stringify(route), t.now]);
  const open = await updateConversation(t.c, conv.id, { status: 'open', waiting_since: conv.waiting_since ?? t.now }, t.now);
  await event(t, conv, { done: why, route });
  await routeTo(t, open, route);
}

/** Sends greetings (merged) and the next question from `from`; finishes when no question is left. */
async function advance(t: FlowTurn, conv: ConversationRow, steps: BotStep[], from: number, lead: string[], route: BotRoute, delay = 0): Promise<void> {
  const lang = t.lang as Lang;
  const prefix = [...lead];
  for (let i = from; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.type === 'greeting') {
      prefix.push(step.text[lang] || step.text.es);
      continue;
    }
    await t.c.query(`UPDATE bot_flow_sessions SET step = $2, attempts = 0, updated_at = $3 WHERE conversation_id = $1`, [conv.id, i, t.now]);
    await say(t, conv, `ask_${i}`, stepMessage(step, lang, prefix), delay);
    await event(t, conv, { asked: step.id, type: step.type });
    return;
  }
  if (prefix.length) await say(t, conv, 'end', { kind: 'text', text: prefix.join('\n\n') }, delay);
  await finish(t, conv, route, 'completed');
}

/**
 * Hook before routing (consent given, or a consented customer's new conversation): with a bot flow
 * on, the conversation stays with the bot and the flow starts; returns it, or null to route now.
 */
async function beforeRouting(t: FlowTurn, conv: ConversationRow): Promise<ConversationRow | null> {
  const flow = t.settings.botFlow;
  if (!flow?.enabled || !flow.steps.length) return null;
  const started = await t.c.query(
    `INSERT INTO bot_flow_sessions (conversation_id, portal_id, started_at, updated_at) VALUES ($1, $2, $3, $3) ON CONFLICT DO NOTHING RETURNING 1`,
    [conv.id, conv.portal_id, t.now],
  );
  if (!started.rowCount) return null; // it already ran on this conversation
  const withBot = await updateConversation(t.c, conv.id, { status: 'bot' }, t.now);
  await event(t, conv, { started: flow.template ?? 'custom' });
  await advance(t, withBot, flow.steps, 0, [], { to: 'pool' }, 1);
  return withBot;
}

/** Hook for a customer message on a conversation: true when the bot flow handled it. */
async function flowTurn(properties: ContactPropertyWriter, t: FlowTurn, conv: ConversationRow): Promise<boolean> {
  if (conv.status !== 'bot') return false;
  const r = await t.c.query<Session>(`SELECT * FROM bot_flow_sessions WHERE conversation_id = $1 AND state = 'running' FOR UPDATE`, [conv.id]);
  const session = r.rows[0];
  if (!session) return false;
  const steps = t.settings.botFlow.steps;
  const step = steps[session.step];
  const lang = t.lang as Lang;
  const { text, buttonId } = answerOf(t.msg);

  if (!step || wantsAgent(text)) {
    await say(t, conv, 'to_agent', { kind: 'text', text: FLOW_TEXT.toAgent[lang] });
    await finish(t, conv, { to: 'pool' }, step ? 'asked_for_agent' : 'flow_changed');
    return true;
  }
  const got = understand(step, text, buttonId);
  await event(t, conv, { step: step.id, answer: text, understood: got.kind });
  if (got.kind === 'invalid') {
    if (session.attempts >= t.settings.botFlow.maxRetries) {
      await say(t, conv, 'gave_up', { kind: 'text', text: FLOW_TEXT.toAgent[lang] });
      await finish(t, conv, { to: 'pool' }, 'no_valid_answer');
      return true;
    }
    await t.c.query(`UPDATE bot_flow_sessions SET attempts = attempts + 1, updated_at = $2 WHERE conversation_id = $1`, [conv.id, t.now]);
    await say(t, conv, `retry_${session.step}_${session.attempts + 1}`, retryMessage(step, lang));
    return true;
  }
  const answers = { ...session.answers, [step.id]: got.kind === 'value' ? got.value : String(got.index + 1) };
  await t.c.query(`UPDATE bot_flow_sessions SET answers = $2, updated_at = $3 WHERE conversation_id = $1`, [conv.id, JSON.stringify(answers), t.now]);
  if (step.type === 'collect' && got.kind === 'value') {
    // Durable, in this transaction: the HubSpot domain's property outbox writes it to the contact.
    // A custom property goes with its definition: HubSpot's side creates it when it is missing.
    const define = isCustomProperty(step.property) ? [{ name: step.property, label: step.propertyLabel ?? propertyLabelOf(step.property) }] : undefined;
    await properties.enqueueContactProperties(t.c, { portalId: conv.portal_id, contactId: conv.contact_id, properties: { [step.property]: got.value }, ...(define ? { define } : {}) });
  }
  const chosen = got.kind === 'option' ? got.route : ((await t.c.query<{ route: BotRoute | null }>('SELECT route FROM bot_flow_sessions WHERE conversation_id = $1', [conv.id])).rows[0]?.route ?? { to: 'pool' });
  if (got.kind === 'option') await t.c.query(`UPDATE bot_flow_sessions SET route = $2 WHERE conversation_id = $1`, [conv.id, JSON.stringify(got.route)]);
  await advance(t, conv, steps, session.step + 1, [], chosen);
  return true;
}

/** The bot flow, handed to the conversations domain's inbound path (built in src/composition.ts). */
export class BotFlowRunner implements BotFlowHooks {
  constructor(private readonly deps: { properties: ContactPropertyWriter }) {}

  beforeRouting(t: FlowTurn, conv: ConversationRow): Promise<ConversationRow | null> {
    return beforeRouting(t, conv);
  }
  turn(t: FlowTurn, conv: ConversationRow): Promise<boolean> {
    return flowTurn(this.deps.properties, t, conv);
  }
}

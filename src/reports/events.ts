import { beforeCommit, transactionOf, type Queryable } from '../db/database.js';
import { withDefaults } from '../settings/defaults.js';
import type { Settings } from '../settings/types.js';
import { businessSecondsBetween, secondsBetween } from './business-time.js';

/** The conversation an event is about (a conversations row has these columns). */
export interface ConversationRef {
  id: number;
  portal_id: number;
  contact_id: number;
  phone_number_id: string;
}

/**
 * What the conversation code reports, always inside the transaction of the change itself:
 * - `opened`: the conversation reached the agents' queue (`at` = Meta's timestamp of the customer's
 *   message that put it there) or a rep started it (`origin: 'rep'`, `at` = the send);
 * - `assigned` / `transferred` / `unassigned`: who holds it (`method` tells routing from a manual pick);
 * - `agent_message`: an agent wrote; the first one after the start is the first response;
 * - `resolved` with its label, `reopened`.
 */
export type ReportEvent =
  | { kind: 'opened'; conv: ConversationRef; at: Date; origin: 'customer' | 'rep' }
  | { kind: 'assigned' | 'transferred'; conv: ConversationRef; at: Date; agentId: number; fromAgentId?: number | null; method?: string }
  | { kind: 'unassigned'; conv: ConversationRef; at: Date }
  | { kind: 'agent_message'; conv: ConversationRef; at: Date; agentId: number | null }
  | { kind: 'resolved'; conv: ConversationRef; at: Date; label: string }
  | { kind: 'reopened'; conv: ConversationRef; at: Date };

interface Rollup {
  origin: 'customer' | 'rep';
  started_at: Date;
  first_response_at: Date | null;
  resolved_at: Date | null;
  settings: Partial<Settings> | null;
}

/** Routing methods that are the router's choice (the rest are a person's: manual, transfer, rep). */
const PEOPLE_METHODS = new Set(['manual', 'transfer', 'rep']);

/** The rollup row and the portal's settings (for business hours) in one round trip. */
async function rollupOf(q: Queryable, conversationId: number): Promise<Rollup | undefined> {
  const r = await q.query<Rollup>(
    `SELECT r.origin, r.started_at, r.first_response_at, r.resolved_at, s.settings
       FROM report_conversations r LEFT JOIN portal_settings s ON s.portal_id = r.portal_id WHERE r.conversation_id = $1`,
    [conversationId],
  );
  return r.rows[0];
}

interface Extra {
  agentId?: number | null;
  fromAgentId?: number | null;
  label?: string | null;
  startedAt?: Date | null;
  value?: number | null;
  business?: number | null;
  origin?: 'customer' | 'rep';
}

type Call = unknown[];

const callOf = (e: ReportEvent, kind: string, x: Extra): Call => [
  kind, e.conv.id, e.conv.portal_id, e.conv.contact_id, e.conv.phone_number_id, e.at, x.origin ?? null,
  x.agentId ?? null, x.fromAgentId ?? null, x.label ?? null, x.startedAt ?? null, x.value ?? null, x.business ?? null,
];

/** Calls waiting, per transaction (a rolled-back one takes its calls with it), for the next one or the commit. */
const waiting = new WeakMap<object, Call[]>();
const NONE: Call[] = [];

/**
 * report_record (migration 096) changes the rollup row and, when that touched the row, appends the
 * event; the calls waiting in the transaction go in the same round trip, in order (the target list
 * runs left to right, and each call sees the ones before it).
 */
async function send(q: Queryable, calls: Call[]): Promise<void> {
  if (!calls.length) return;
  const params = calls.flat();
  const list = calls.map((_, i) => `report_record(${Array.from({ length: 13 }, (_, k) => `$${i * 13 + k + 1}`).join(', ')})`);
  await q.query(`SELECT ${list.join(', ')}`, params);
}

/** Sends the transaction's waiting calls now (before a read of the rollup). */
function flush(q: Queryable): Promise<void> {
  const tx = transactionOf(q);
  const calls = (tx && waiting.get(tx)) || NONE;
  if (tx) waiting.delete(tx);
  return send(q, calls);
}

/**
 * One call; `defer`: inside a db.tx it waits for the next event of the transaction (an `opened` is
 * followed by its routing) or, at the latest, the commit, so the two cost one round trip.
 */
async function record(q: Queryable, e: ReportEvent, kind: string, x: Extra = {}, defer = false): Promise<void> {
  const tx = transactionOf(q);
  const calls = [...((tx && waiting.get(tx)) || NONE), callOf(e, kind, x)];
  if (tx) waiting.delete(tx);
  if (tx && defer && beforeCommit(q, () => flush(q))) {
    waiting.set(tx, calls);
    return;
  }
  await send(q, calls);
}

async function firstReply(q: Queryable, e: Extract<ReportEvent, { kind: 'agent_message' }>): Promise<void> {
  await flush(q);
  const row = await rollupOf(q, e.conv.id);
  // Only the first agent message after a customer's start is a first response (a rep's own start is not).
  if (!row || row.origin !== 'customer' || row.first_response_at || e.agentId === null) return;
  const value = secondsBetween(row.started_at, e.at);
  const business = businessSecondsBetween(row.started_at, e.at, withDefaults(row.settings).businessHours);
  await record(q, e, 'first_reply', { agentId: e.agentId, startedAt: row.started_at, value, business });
}

async function resolved(q: Queryable, e: Extract<ReportEvent, { kind: 'resolved' }>): Promise<void> {
  await flush(q);
  const row = await rollupOf(q, e.conv.id);
  if (!row) return; // never reached the agents (the consent bot closed it): not a reported conversation
  const value = secondsBetween(row.started_at, e.at);
  const business = businessSecondsBetween(row.started_at, e.at, withDefaults(row.settings).businessHours);
  await record(q, e, 'resolved', { label: e.label, startedAt: row.started_at, value, business });
}

/**
 * Appends the event and updates the conversation's rollup row. Call it with the transaction's client
 * of the change it records, so the report never disagrees with the conversation.
 */
export async function recordEvent(q: Queryable, e: ReportEvent): Promise<void> {
  switch (e.kind) {
    case 'opened':
      return record(q, e, 'opened', { origin: e.origin, startedAt: e.at }, true);
    case 'agent_message':
      return firstReply(q, e);
    case 'resolved':
      return resolved(q, e);
    case 'assigned':
    case 'transferred': {
      const kind = e.kind === 'assigned' && e.method && !PEOPLE_METHODS.has(e.method) ? 'routed' : e.kind;
      return record(q, e, kind, { agentId: e.agentId, fromAgentId: e.fromAgentId ?? null });
    }
    case 'unassigned':
    case 'reopened':
      return record(q, e, e.kind);
  }
}

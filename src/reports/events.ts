import type { Queryable } from '../db/database.js';
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
}

/**
 * One statement: `change` (an INSERT/UPDATE of the rollup row with RETURNING) and, when it touched
 * the row, the appended event. One round trip per event keeps the write path's cost small.
 */
async function changeAndAppend(q: Queryable, e: ReportEvent, kind: string, change: string, changeParams: unknown[], x: Extra = {}): Promise<void> {
  const n = changeParams.length;
  const p = (i: number) => `$${n + i}`;
  await q.query(
    `WITH changed AS (${change})
     INSERT INTO reporting_events (portal_id, conversation_id, phone_number_id, kind, agent_id, from_agent_id, label, started_at,
       value_seconds, business_seconds, at)
     SELECT ${p(1)}::bigint, ${p(2)}::bigint, ${p(3)}::text, ${p(4)}::text, ${p(5)}::bigint, ${p(6)}::bigint, ${p(7)}::text, ${p(8)}::timestamptz,
            ${p(9)}::int, ${p(10)}::int, ${p(11)}::timestamptz
       FROM changed`,
    [
      ...changeParams,
      e.conv.portal_id, e.conv.id, e.conv.phone_number_id, kind, x.agentId ?? null, x.fromAgentId ?? null, x.label ?? null,
      x.startedAt ?? null, x.value ?? null, x.business ?? null, e.at,
    ],
  );
}

function opened(q: Queryable, e: Extract<ReportEvent, { kind: 'opened' }>): Promise<void> {
  return changeAndAppend(
    q, e, 'opened',
    `INSERT INTO report_conversations (conversation_id, portal_id, contact_id, phone_number_id, origin, started_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1`,
    [e.conv.id, e.conv.portal_id, e.conv.contact_id, e.conv.phone_number_id, e.origin, e.at],
    { startedAt: e.at },
  );
}

async function firstReply(q: Queryable, e: Extract<ReportEvent, { kind: 'agent_message' }>): Promise<void> {
  const row = await rollupOf(q, e.conv.id);
  // Only the first agent message after a customer's start is a first response (a rep's own start is not).
  if (!row || row.origin !== 'customer' || row.first_response_at || e.agentId === null) return;
  const value = secondsBetween(row.started_at, e.at);
  const business = businessSecondsBetween(row.started_at, e.at, withDefaults(row.settings).businessHours);
  await changeAndAppend(
    q, e, 'first_reply',
    `UPDATE report_conversations SET first_response_at = $2, first_response_agent_id = $3, first_response_seconds = $4,
       first_response_business_seconds = $5 WHERE conversation_id = $1 AND first_response_at IS NULL RETURNING 1`,
    [e.conv.id, e.at, e.agentId, value, business],
    { agentId: e.agentId, startedAt: row.started_at, value, business },
  );
}

async function resolved(q: Queryable, e: Extract<ReportEvent, { kind: 'resolved' }>): Promise<void> {
  const row = await rollupOf(q, e.conv.id);
  if (!row) return; // never reached the agents (the consent bot closed it): not a reported conversation
  const value = secondsBetween(row.started_at, e.at);
  const business = businessSecondsBetween(row.started_at, e.at, withDefaults(row.settings).businessHours);
  await changeAndAppend(
    q, e, 'resolved',
    'UPDATE report_conversations SET resolved_at = $2, resolution_seconds = $3, label = $4 WHERE conversation_id = $1 RETURNING 1',
    [e.conv.id, e.at, value, e.label],
    { label: e.label, startedAt: row.started_at, value, business },
  );
}

/**
 * Appends the event and updates the conversation's rollup row. Call it with the transaction's client
 * of the change it records, so the report never disagrees with the conversation.
 */
export async function recordEvent(q: Queryable, e: ReportEvent): Promise<void> {
  switch (e.kind) {
    case 'opened':
      return opened(q, e);
    case 'agent_message':
      return firstReply(q, e);
    case 'resolved':
      return resolved(q, e);
    case 'assigned':
    case 'transferred': {
      const kind = e.kind === 'assigned' && e.method && !PEOPLE_METHODS.has(e.method) ? 'routed' : e.kind;
      return changeAndAppend(
        q, e, kind,
        'UPDATE report_conversations SET agent_id = $2, transfers = transfers + $3 WHERE conversation_id = $1 RETURNING 1',
        [e.conv.id, e.agentId, e.kind === 'transferred' ? 1 : 0],
        { agentId: e.agentId, fromAgentId: e.fromAgentId ?? null },
      );
    }
    case 'unassigned':
      return changeAndAppend(q, e, 'unassigned', 'UPDATE report_conversations SET agent_id = NULL WHERE conversation_id = $1 RETURNING 1', [e.conv.id]);
    case 'reopened':
      return changeAndAppend(
        q, e, 'reopened',
        'UPDATE report_conversations SET resolved_at = NULL, resolution_seconds = NULL, label = NULL WHERE conversation_id = $1 RETURNING 1',
        [e.conv.id],
      );
  }
}

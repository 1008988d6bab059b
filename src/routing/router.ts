import type { Queryable } from '../db/database.js';
import { isAvailable, type AgentRow } from '../settings/agents.js';
import type { FallbackMethod, RoutingMethod, Settings } from '../settings/types.js';

export interface RouteRequest {
  portalId: number;
  conversationId: number;
  contactId: number;
  phoneNumberId: string;
  settings: Settings;
  now: Date;
  /** The contact's HubSpot owner id, looked up before the transaction (contact_owner only). */
  contactOwnerId?: string | null;
}

export interface RouteDecision {
  agent: AgentRow;
  /** The method that picked the agent (after any fallback). */
  method: RoutingMethod;
}

type Cursors = Record<string, number>;

/** The routing method for a conversation on this number (per-number override first). */
export function methodFor(settings: Settings, phoneNumberId: string): RoutingMethod {
  return settings.routing.perNumber[phoneNumberId] ?? settings.routing.method;
}

/**
 * Locks the portal's routing row for the rest of the caller's transaction. Every assignment in a
 * portal goes through this lock, so concurrent arrivals (on any instance) see each other's turns.
 * Must run inside `db.tx` on its client; never wait on anything else while holding it.
 */
export async function lockRouting(c: Queryable, portalId: number): Promise<Cursors> {
  await c.query('INSERT INTO routing_state (portal_id) VALUES ($1) ON CONFLICT (portal_id) DO NOTHING', [portalId]);
  const r = await c.query<{ cursors: Cursors }>('SELECT cursors FROM routing_state WHERE portal_id = $1 FOR UPDATE', [portalId]);
  return r.rows[0]?.cursors ?? {};
}

/** The next agent after `last` in id order, wrapping around (agent 1, 2, 3, 1, …). */
function nextInTurn(candidates: AgentRow[], last: number | undefined): AgentRow | null {
  if (!candidates.length) return null;
  const sorted = [...candidates].sort((a, b) => a.id - b.id);
  if (last === undefined) return sorted[0]!;
  return sorted.find((a) => a.id > last) ?? sorted[0]!;
}

function inPool(a: AgentRow, phoneNumberId: string): boolean {
  return !a.number_ids?.length || a.number_ids.includes(phoneNumberId);
}

/**
 * Picks the agent for one conversation, or null when nobody available can take it (it then waits).
 * Runs inside the caller's transaction: takes the routing lock, reads agents and load, moves the
 * round-robin cursor and counts the assignment on the agent. The caller writes the assignee.
 */
export async function chooseAgent(c: Queryable, req: RouteRequest): Promise<RouteDecision | null> {
  const cursors = await lockRouting(c, req.portalId);
  const all = (await c.query<AgentRow>('SELECT * FROM agents WHERE portal_id = $1 AND active ORDER BY id', [req.portalId])).rows;
  const available = all.filter((a) => isAvailable(a, req.now, req.settings.businessHours.timeZone));
  if (!available.length) return null;

  const method = methodFor(req.settings, req.phoneNumberId);
  let picked: AgentRow | null = null;
  let used: RoutingMethod = method;
  let scope: string | null = null;

  const byFallback = async (fallback: FallbackMethod): Promise<void> => {
    used = fallback;
    if (fallback === 'least_open') {
      picked = await leastOpen(c, available, cursors['*']);
      scope = '*';
    } else if (fallback === 'number_pool') {
      scope = `pn:${req.phoneNumberId}`;
      picked = nextInTurn(
        available.filter((a) => inPool(a, req.phoneNumberId)),
        cursors[scope],
      );
    } else {
      scope = '*';
      picked = nextInTurn(available, cursors[scope]);
    }
  };

  if (method === 'contact_owner') {
    picked = req.contactOwnerId ? (available.find((a) => a.owner_id === req.contactOwnerId) ?? null) : null;
    if (!picked) await byFallback(req.settings.routing.fallback);
  } else if (method === 'last_agent') {
    picked = await lastAgent(c, req, available);
    if (!picked) await byFallback(req.settings.routing.fallback);
  } else {
    await byFallback(method);
  }
  const agent = picked as AgentRow | null;
  if (!agent) return null;

  if (scope) cursors[scope] = agent.id;
  await c.query('UPDATE routing_state SET cursors = $2, updated_at = now() WHERE portal_id = $1', [req.portalId, JSON.stringify(cursors)]);
  await c.query('UPDATE agents SET last_assigned_at = $2, assigned_count = assigned_count + 1 WHERE id = $1', [agent.id, req.now]);
  return { agent, method: used };
}

/** The available agent with the fewest conversations not resolved; ties go in turn after `last`. */
async function leastOpen(c: Queryable, available: AgentRow[], last: number | undefined): Promise<AgentRow | null> {
  const ids = available.map((a) => a.id);
  const r = await c.query<{ agent: number; n: number }>(
    `SELECT assignee_agent_id AS agent, count(*)::int AS n FROM conversations
     WHERE assignee_agent_id = ANY($1::bigint[]) AND status <> 'resolved' GROUP BY assignee_agent_id`,
    [ids],
  );
  const load = new Map(r.rows.map((x) => [Number(x.agent), x.n]));
  const min = Math.min(...available.map((a) => load.get(a.id) ?? 0));
  return nextInTurn(
    available.filter((a) => (load.get(a.id) ?? 0) === min),
    last,
  );
}

/**
 * The agent who last handled this customer within `lastAgentDays`: the author of our last agent
 * message to them, else the assignee of their last conversation. Only if available now.
 */
async function lastAgent(c: Queryable, req: RouteRequest, available: AgentRow[]): Promise<AgentRow | null> {
  const since = new Date(req.now.getTime() - req.settings.routing.lastAgentDays * 86_400_000);
  const m = await c.query<{ agent_id: number }>(
    `SELECT agent_id FROM messages
     WHERE contact_id = $1 AND direction = 'out' AND agent_id IS NOT NULL AND sent_at >= $2
     ORDER BY sent_at DESC, id DESC LIMIT 1`,
    [req.contactId, since],
  );
  let id: number | undefined = m.rows[0]?.agent_id;
  if (id === undefined) {
    const conv = await c.query<{ assignee_agent_id: number }>(
      `SELECT assignee_agent_id FROM conversations
       WHERE contact_id = $1 AND id <> $2 AND assignee_agent_id IS NOT NULL AND COALESCE(resolved_at, updated_at) >= $3
       ORDER BY COALESCE(resolved_at, updated_at) DESC, id DESC LIMIT 1`,
      [req.contactId, req.conversationId, since],
    );
    id = conv.rows[0]?.assignee_agent_id;
  }
  return id === undefined ? null : (available.find((a) => a.id === Number(id)) ?? null);
}

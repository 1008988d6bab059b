import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import type { Queryable } from '../db/database.js';
import { notFound, validation, zodDetails } from '../errors.js';
import { businessDate } from './business-hours.js';
import { isDate } from './schema.js';

export interface OutOfOffice {
  from: string; // YYYY-MM-DD, inclusive, business time zone
  to: string;
}

export interface AgentRow {
  id: number;
  portal_id: number;
  owner_id: string;
  user_id: number | null;
  email: string | null;
  name: string | null;
  active: boolean;
  available: boolean;
  out_of_office: OutOfOffice[];
  number_ids: string[];
  last_assigned_at: Date | null;
  assigned_count: number;
}

/** The extension API's Agent (docs/extension-api.md). */
export interface ApiAgent {
  agentId: string;
  ownerId: string;
  userId: number | null;
  email: string;
  name: string;
  active: boolean;
  available: boolean;
  outOfOffice: OutOfOffice[];
  /** [addition] phone_number_ids of the agent's per-number pool ([] = every number). */
  numberIds: string[];
}

export const agentName = (a: Pick<AgentRow, 'name' | 'email' | 'owner_id'>): string => a.name?.trim() || a.email || `Owner ${a.owner_id}`;

export function toApiAgent(a: AgentRow): ApiAgent {
  return {
    agentId: String(a.id),
    ownerId: a.owner_id,
    userId: a.user_id,
    email: a.email ?? '',
    name: agentName(a),
    active: a.active,
    available: a.available,
    outOfOffice: a.out_of_office ?? [],
    numberIds: a.number_ids ?? [],
  };
}

export function isOutOfOffice(a: Pick<AgentRow, 'out_of_office'>, date: string): boolean {
  return (a.out_of_office ?? []).some((p) => p.from <= date && date <= p.to);
}

/** Active, not marked away, not inside an out-of-office period today (business time zone). */
export function isAvailable(a: AgentRow, now: Date, timeZone: string): boolean {
  return a.active && a.available && !isOutOfOffice(a, businessDate(now, timeZone));
}

/**
 * May keep the conversations already assigned: active and not out of office today. An agent merely
 * marked away keeps them (a short absence); deactivated or out-of-office agents hand them over.
 */
export function canHoldConversations(a: AgentRow, now: Date, timeZone: string): boolean {
  return a.active && !isOutOfOffice(a, businessDate(now, timeZone));
}

const agentInput = z.object({
  agentId: z.string().optional().nullable(),
  ownerId: z.string().trim().min(1, 'Required').max(40, 'At most 40 characters'),
  userId: z.number().int().positive().nullable().optional().default(null),
  email: z.string().max(320, 'At most 320 characters').optional().default(''),
  name: z.string().max(200, 'At most 200 characters').optional().default(''),
  active: z.boolean(),
  available: z.boolean(),
  outOfOffice: z.array(z.object({ from: z.string(), to: z.string() })).max(100, 'At most 100 periods').default([]),
  numberIds: z.array(z.string()).max(50).optional(),
});
const agentsBody = z.object({ agents: z.array(agentInput).max(1000, 'At most 1000 agents') });
export type AgentInput = z.infer<typeof agentInput>;

export interface AgentsChange {
  agents: AgentRow[];
  /** Agents whose conversations must be handed over now (deactivated, or out of office today). */
  released: number[];
  /** True when some agent can take work now who could not before. */
  gainedAvailability: boolean;
}

export async function listAgents(q: Queryable, portalId: number): Promise<AgentRow[]> {
  const r = await q.query<AgentRow>('SELECT * FROM agents WHERE portal_id = $1 ORDER BY id', [portalId]);
  return r.rows;
}

export async function getAgent(q: Queryable, portalId: number, agentId: number): Promise<AgentRow | undefined> {
  const r = await q.query<AgentRow>('SELECT * FROM agents WHERE portal_id = $1 AND id = $2', [portalId, agentId]);
  return r.rows[0];
}

export async function agentByUser(q: Queryable, portalId: number, userId: number): Promise<AgentRow | undefined> {
  const r = await q.query<AgentRow>('SELECT * FROM agents WHERE portal_id = $1 AND user_id = $2', [portalId, userId]);
  return r.rows[0];
}

/** Parses an API agent id ("12") into the row id of this portal's agent, or throws NOT_FOUND. */
export async function requireAgent(q: Queryable, portalId: number, apiId: string): Promise<AgentRow> {
  const id = /^\d{1,15}$/.test(apiId) ? Number(apiId) : NaN;
  const a = Number.isFinite(id) ? await getAgent(q, portalId, id) : undefined;
  if (!a) throw notFound('No such agent in this HubSpot account');
  return a;
}

/**
 * PUT /api/v1/agents: replaces the list. Rows are matched by ownerId; an agent left out becomes
 * inactive (the caller then reassigns their conversations).
 */
export async function replaceAgents(ctx: AppContext, portalId: number, body: unknown, timeZone: string): Promise<AgentsChange> {
  const parsed = agentsBody.safeParse(body);
  if (!parsed.success) throw validation('Some agents are not valid', zodDetails(parsed.error));
  const input = parsed.data.agents;
  const numbers = new Set(
    (await ctx.db.query<{ phone_number_id: string }>('SELECT phone_number_id FROM whatsapp_numbers WHERE portal_id = $1', [portalId])).rows.map(
      (r) => r.phone_number_id,
    ),
  );
  const now = ctx.clock.now();

  return ctx.db.tx(async (c) => {
    const before = await c.query<AgentRow>('SELECT * FROM agents WHERE portal_id = $1 ORDER BY id FOR UPDATE', [portalId]);
    const byId = new Map(before.rows.map((a) => [String(a.id), a]));
    const e: Record<string, string> = {};
    const owners = new Map<string, number>();
    const users = new Map<number, number>();
    input.forEach((a, i) => {
      const p = `agents.${i}`;
      if (owners.has(a.ownerId)) e[`${p}.ownerId`] = 'This HubSpot user is listed twice';
      owners.set(a.ownerId, i);
      if (a.userId !== null) {
        if (users.has(a.userId)) e[`${p}.userId`] = 'This HubSpot user is listed twice';
        users.set(a.userId, i);
      }
      if (a.agentId) {
        const row = byId.get(a.agentId);
        if (!row) e[`${p}.agentId`] = 'Unknown agent';
        else if (row.owner_id !== a.ownerId) e[`${p}.agentId`] = 'This agent belongs to another HubSpot owner';
      }
      a.outOfOffice.forEach((o, j) => {
        const q = `${p}.outOfOffice.${j}`;
        if (!isDate(o.from)) e[`${q}.from`] = 'Use YYYY-MM-DD';
        if (!isDate(o.to)) e[`${q}.to`] = 'Use YYYY-MM-DD';
        else if (isDate(o.from) && o.to < o.from) e[`${q}.to`] = `must be on or after ${o.from}`;
      });
      (a.numberIds ?? []).forEach((n, j) => {
        if (!numbers.has(n)) e[`${p}.numberIds.${j}`] = 'Not a WhatsApp number of this account';
      });
    });
    if (Object.keys(e).length) throw validation(`Some agents are not valid: ${Object.keys(e).join(', ')}`, e);

    const availableBefore = new Set(before.rows.filter((a) => isAvailable(a, now, timeZone)).map((a) => a.id));
    const holdingBefore = new Set(before.rows.filter((a) => canHoldConversations(a, now, timeZone)).map((a) => a.id));
    const keepOwners = input.map((a) => a.ownerId);
    // Rows left out: inactive; their user id is freed when someone listed now carries it.
    await c.query(
      `UPDATE agents SET active = false, updated_at = now(),
         user_id = CASE WHEN user_id = ANY($3::bigint[]) THEN NULL ELSE user_id END
       WHERE portal_id = $1 AND NOT (owner_id = ANY($2::text[]))`,
      [portalId, keepOwners, [...users.keys()]],
    );
    // Two listed rows may swap user ids: clear those first so the unique index holds at every step.
    await c.query(`UPDATE agents SET user_id = NULL WHERE portal_id = $1 AND owner_id = ANY($2::text[])`, [portalId, keepOwners]);
    for (const a of input) {
      const existing = before.rows.find((r) => r.owner_id === a.ownerId);
      const numberIds = a.numberIds ?? existing?.number_ids ?? [];
      const ooo = a.outOfOffice.map((o) => ({ from: o.from, to: o.to })).sort((x, y) => x.from.localeCompare(y.from));
      await c.query(
        `INSERT INTO agents (portal_id, owner_id, user_id, email, name, active, available, out_of_office, number_ids)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (portal_id, owner_id) DO UPDATE SET
           user_id = EXCLUDED.user_id, email = EXCLUDED.email, name = EXCLUDED.name, active = EXCLUDED.active,
           available = EXCLUDED.available, out_of_office = EXCLUDED.out_of_office, number_ids = EXCLUDED.number_ids,
           updated_at = now()`,
        [portalId, a.ownerId, a.userId, a.email.trim(), a.name.trim(), a.active, a.available, JSON.stringify(ooo), numberIds],
      );
    }
    const after = await listAgents(c, portalId);
    const availableAfter = new Set(after.filter((a) => isAvailable(a, now, timeZone)).map((a) => a.id));
    return {
      agents: after,
      released: after.filter((a) => holdingBefore.has(a.id) && !canHoldConversations(a, now, timeZone)).map((a) => a.id),
      gainedAvailability: [...availableAfter].some((id) => !availableBefore.has(id)),
    };
  });
}

import type { Config } from '../config.js';
import type { Queryable } from '../db/database.js';

/** What a portal may use per calendar month (F24). A null limit is unlimited. */
export interface Plan {
  name: string;
  activeContacts: number | null;
  seats: number | null;
}

/** The portal's plan: the operator's override, else the PLAN_* default of the deployment. */
export async function planOf(q: Queryable, config: Pick<Config, 'plan'>, portalId: number): Promise<Plan> {
  const r = await q.query<{ name: string; active_contacts: number | null; seats: number | null }>(
    'SELECT name, active_contacts, seats FROM portal_plans WHERE portal_id = $1',
    [portalId],
  );
  const row = r.rows[0];
  if (!row) return { ...config.plan };
  return { name: row.name, activeContacts: row.active_contacts, seats: row.seats };
}

/** The operator sets a portal's plan (scripts/plan.ts, or the SQL in docs/reports.md). */
export async function setPlan(q: Queryable, portalId: number, plan: Plan): Promise<void> {
  await q.query(
    `INSERT INTO portal_plans (portal_id, name, active_contacts, seats, updated_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (portal_id) DO UPDATE SET name = EXCLUDED.name, active_contacts = EXCLUDED.active_contacts, seats = EXCLUDED.seats, updated_at = now()`,
    [portalId, plan.name, plan.activeContacts, plan.seats],
  );
}

/** Back to the deployment's default plan. */
export async function clearPlan(q: Queryable, portalId: number): Promise<void> {
  await q.query('DELETE FROM portal_plans WHERE portal_id = $1', [portalId]);
}

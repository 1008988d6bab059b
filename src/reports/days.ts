import type { Database, Queryable } from '../db/database.js';

/**
 * The per-day rollup (migration 097). `report_days` holds, per portal, business-local day of the
 * start, number and current agent, the counts and sums of report_conversations; a trigger appends
 * every change of a rollup row to `report_day_changes` (signed), and a read adds those up with the
 * days. Now and then a read folds the changes into the days (`foldChanges`); when the portal's time
 * zone is not the one the days were built in, they are rebuilt from report_conversations.
 */

/** Counted columns of report_days and report_day_changes, in table order. */
export const FIGURE_COLUMNS = [
  'conversations', 'open', 'resolved', 'answered', 'unanswered', 'first_response_sum', 'first_response_n',
  'first_response_business_sum', 'first_response_business_n', 'resolution_sum', 'resolution_n',
] as const;

/** What one report_conversations row `r` contributes to each column (the trigger's report_day_put). */
const CONTRIBUTION = [
  'count(*)',
  'count(*) FILTER (WHERE r.resolved_at IS NULL)',
  'count(*) FILTER (WHERE r.resolved_at IS NOT NULL)',
  "count(*) FILTER (WHERE r.origin = 'customer' AND r.first_response_at IS NOT NULL)",
  "count(*) FILTER (WHERE r.origin = 'customer' AND r.first_response_at IS NULL)",
  'COALESCE(sum(r.first_response_seconds), 0)',
  'count(r.first_response_seconds)',
  'COALESCE(sum(r.first_response_business_seconds), 0)',
  'count(r.first_response_business_seconds)',
  'COALESCE(sum(r.resolution_seconds), 0)',
  'count(r.resolution_seconds)',
];

/** Folding changes is worth a write once this many wait in a read. */
export const FOLD_AFTER = 200;

// One lock per portal for the writers of report_days (fold and rebuild); the event path never takes it.
const LOCK_CLASS = 1_300_013;

const cols = FIGURE_COLUMNS.join(', ');

/** Rebuilds the portal's days in `timeZone` from report_conversations, unless another rebuild just did. */
export async function rebuildDays(db: Database, portalId: number, timeZone: string): Promise<void> {
  await db.tx(async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, portalId]);
    // Read committed: every statement below sees what committed up to it, the other rebuild's too.
    const zone = await c.query<{ time_zone: string }>('SELECT time_zone FROM report_day_zones WHERE portal_id = $1', [portalId]);
    if (zone.rows[0]?.time_zone === timeZone) return;
    await c.query('DELETE FROM report_days WHERE portal_id = $1', [portalId]);
    // One statement, one snapshot: the changes it drops are exactly those the aggregate already has;
    // a change committed later stays for the next read.
    await c.query(
      `WITH dropped AS (DELETE FROM report_day_changes WHERE portal_id = $1)
       INSERT INTO report_days (portal_id, day, phone_number_id, agent_id, ${cols})
       SELECT $1, (r.started_at AT TIME ZONE $2)::date, r.phone_number_id, COALESCE(r.agent_id, 0), ${CONTRIBUTION.join(', ')}
         FROM report_conversations r WHERE r.portal_id = $1
        GROUP BY 2, 3, 4`,
      [portalId, timeZone],
    );
    await c.query(
      `INSERT INTO report_day_zones (portal_id, time_zone) VALUES ($1, $2)
       ON CONFLICT (portal_id) DO UPDATE SET time_zone = excluded.time_zone, built_at = now()`,
      [portalId, timeZone],
    );
  });
}

/**
 * Moves the portal's changes into report_days in one statement (taken and added in the same
 * snapshot, so a read sees them either here or there, never both), and drops the rows that count
 * nothing any more. Skipped while another fold or rebuild of the portal runs.
 */
export async function foldChanges(db: Database, portalId: number, timeZone: string): Promise<void> {
  await db.tx(async (c) => {
    const lock = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', [LOCK_CLASS, portalId]);
    if (!lock.rows[0]?.ok) return;
    const zone = await c.query<{ time_zone: string }>('SELECT time_zone FROM report_day_zones WHERE portal_id = $1', [portalId]);
    if (zone.rows[0]?.time_zone !== timeZone) return;
    const add = FIGURE_COLUMNS.map((k) => `${k} = report_days.${k} + excluded.${k}`).join(', ');
    await c.query(
      `WITH moved AS (DELETE FROM report_day_changes WHERE portal_id = $1 RETURNING *)
       INSERT INTO report_days (portal_id, day, phone_number_id, agent_id, ${cols})
       SELECT $1, (started_at AT TIME ZONE $2)::date AS day, phone_number_id, agent_id, ${FIGURE_COLUMNS.map((k) => `sum(${k})`).join(', ')}
         FROM moved GROUP BY 2, 3, 4 ORDER BY 2, 3, 4
       ON CONFLICT (portal_id, day, phone_number_id, agent_id) DO UPDATE SET ${add}`,
      [portalId, timeZone],
    );
    await c.query('DELETE FROM report_days WHERE portal_id = $1 AND conversations = 0', [portalId]);
  });
}

/**
 * The rows a report groups: the days of the range and the changes not folded yet (their day taken
 * in the zone), as one derived table `d` (day, phone_number_id, agent_id, the counted columns, src).
 * Parameters from `params`: $1 portal, then the ones it pushes.
 */
export function rangeRows(params: unknown[], o: { from: string; to: string; start: Date; end: Date; timeZone: string; phoneNumberId?: string; agentId?: number }): string {
  const p = (v: unknown) => `$${params.push(v)}`;
  let days = `portal_id = $1 AND day >= ${p(o.from)}::date AND day <= ${p(o.to)}::date`;
  let changes = `portal_id = $1 AND started_at >= ${p(o.start)} AND started_at < ${p(o.end)}`;
  if (o.phoneNumberId !== undefined) {
    const n = p(o.phoneNumberId);
    days += ` AND phone_number_id = ${n}`;
    changes += ` AND phone_number_id = ${n}`;
  }
  if (o.agentId !== undefined) {
    const a = p(o.agentId);
    days += ` AND agent_id = ${a} AND agent_id <> 0`;
    changes += ` AND agent_id = ${a} AND agent_id <> 0`;
  }
  const tz = p(o.timeZone);
  return `(SELECT day, phone_number_id, agent_id, ${cols}, false AS pending FROM report_days WHERE ${days}
           UNION ALL
           SELECT (started_at AT TIME ZONE ${tz})::date, phone_number_id, agent_id, ${cols}, true FROM report_day_changes WHERE ${changes}) d`;
}

/** The zone the portal's days are in (undefined: never built). */
export async function zoneOf(q: Queryable, portalId: number): Promise<string | undefined> {
  const r = await q.query<{ time_zone: string }>('SELECT time_zone FROM report_day_zones WHERE portal_id = $1', [portalId]);
  return r.rows[0]?.time_zone;
}

/**
 * The periodic fold: every portal with at least `minChanges` changes waiting, so a portal whose
 * dashboard nobody opens keeps a few rows, not three per conversation for ever. A portal never read
 * (or read in another zone) gets its days built in its zone.
 */
export async function foldPending(db: Database, timeZoneOf: (portalId: number) => Promise<string>, minChanges = FOLD_AFTER): Promise<number> {
  const r = await db.query<{ portal_id: string }>('SELECT portal_id FROM report_day_changes GROUP BY 1 HAVING count(*) >= $1', [minChanges]);
  for (const row of r.rows) {
    const portalId = Number(row.portal_id);
    const timeZone = await timeZoneOf(portalId);
    if ((await zoneOf(db.pool, portalId)) === timeZone) await foldChanges(db, portalId, timeZone);
    else await rebuildDays(db, portalId, timeZone);
  }
  return r.rows.length;
}

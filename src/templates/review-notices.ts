import type { Database, Queryable } from '../db/database.js';
import type { Logger } from '../logger.js';

/** Meta's reason and recommendation from a status webhook's `reason` and `rejection_info`. */
export function rejectionText(reason: string | null | undefined, detail: unknown): { reason: string | null; recommendation: string | null } {
  const info = (detail as { rejection_info?: { reason?: string; recommendation?: string } | null } | null)?.rejection_info;
  return { reason: info?.reason ?? (reason && reason !== 'NONE' ? reason : null), recommendation: info?.recommendation ?? null };
}

/** A notice for the admin of the portal that owns the WABA (drained into a HubSpot task). */
export async function recordRejection(
  q: Queryable,
  p: { wabaId: string; name: string; language: string; reason: string | null; recommendation: string | null; at: Date },
): Promise<void> {
  await q.query(
    `INSERT INTO template_review_notices (portal_id, waba_id, name, language, reason, recommendation, created_at)
     SELECT portal_id, $1, $2, $3, $4, $5, $6 FROM whatsapp_numbers WHERE waba_id = $1 ORDER BY created_at LIMIT 1`,
    [p.wabaId, p.name, p.language, p.reason, p.recommendation, p.at],
  );
}

interface NoticeRow {
  id: number;
  portal_id: number;
  name: string;
  language: string;
  reason: string | null;
  recommendation: string | null;
  attempts: number;
}

/** What the drain needs from HubSpot: the admin's owner id and a task create (no contact to attach it to). */
export interface AdminTaskPort {
  adminOwnerId(portalId: number): Promise<string | null>;
  createTask(portalId: number, properties: Record<string, string>): Promise<string>;
}

const MAX_ATTEMPTS = 10;

/** Creates the HubSpot task of every pending rejection notice; a failure is retried on the next pass. */
export async function drainRejectionNotices(deps: { db: Database; logger: Logger; now: () => Date; hubspot: AdminTaskPort }): Promise<number> {
  const r = await deps.db.query<NoticeRow>(
    `SELECT id, portal_id, name, language, reason, recommendation, attempts FROM template_review_notices
      WHERE hubspot_task_id IS NULL AND attempts < $1 ORDER BY id LIMIT 100`,
    [MAX_ATTEMPTS],
  );
  let created = 0;
  for (const n of r.rows) {
    // Claim it first, so two instances draining together create one task.
    const claim = await deps.db.query(
      `UPDATE template_review_notices SET attempts = attempts + 1 WHERE id = $1 AND hubspot_task_id IS NULL AND attempts = $2 RETURNING id`,
      [n.id, n.attempts],
    );
    if (!claim.rowCount) continue;
    try {
      const owner = await deps.hubspot.adminOwnerId(Number(n.portal_id));
      const properties: Record<string, string> = {
        hs_task_subject: `WhatsApp template ${n.name} (${n.language}) was rejected by Meta`,
        hs_task_body: [
          `Meta rejected the template ${n.name} in ${n.language}.`,
          n.reason ? `Reason: ${n.reason}` : '',
          n.recommendation ? `Recommendation: ${n.recommendation}` : '',
          'Its name cannot be reused: create a corrected template with a new name on the Templates page.',
        ].filter(Boolean).join('\n'),
        hs_task_status: 'NOT_STARTED',
        hs_task_priority: 'MEDIUM',
        hs_task_type: 'TODO',
        hs_timestamp: deps.now().toISOString(),
        ...(owner ? { hubspot_owner_id: owner } : {}),
      };
      const id = await deps.hubspot.createTask(Number(n.portal_id), properties);
      await deps.db.query('UPDATE template_review_notices SET hubspot_task_id = $2, last_error = NULL WHERE id = $1', [n.id, id]);
      created++;
    } catch (err) {
      deps.logger.warn({ err, noticeId: n.id }, 'template rejection task not created yet');
      await deps.db.query('UPDATE template_review_notices SET last_error = $2 WHERE id = $1', [n.id, String((err as Error).message).slice(0, 500)]);
    }
  }
  return created;
}

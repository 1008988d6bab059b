import type { Queryable } from '../db/database.js';
import { placeholdersOf, type Placeholder, type TemplateComponent } from './placeholders.js';
import { recordRejection, rejectionText } from './review-notices.js';

export interface TemplateRow {
  id: number;
  waba_id: string;
  meta_template_id: string | null;
  name: string;
  language: string;
  category: string | null;
  status: string;
  parameter_format: string;
  components: TemplateComponent[];
  placeholders: Placeholder[];
  placeholder_count: number;
  quality_score: string | null;
  rejected_reason: string | null;
  status_detail: unknown;
  synced_at: Date | null;
  updated_at: Date;
}

export interface TemplateInput {
  metaTemplateId?: string | null;
  name: string;
  language: string;
  category?: string | null;
  status: string;
  parameterFormat?: string | null;
  components: TemplateComponent[];
  qualityScore?: string | null;
  rejectedReason?: string | null;
}

/** Insert or refresh one template from Meta's list (the definition is Meta's; we only mirror it). */
/**
 * Stores a template as Meta describes it. `listedBefore`: the description comes from a listing that
 * started then, so a row deleted here since (a DELETE racing the sync) stays deleted — undefined
 * (no row) is returned for it.
 */
export async function upsertTemplate(q: Queryable, wabaId: string, t: TemplateInput, at: Date, listedBefore?: Date): Promise<TemplateRow | undefined> {
  const placeholders = placeholdersOf(t.components);
  const r = await q.query<TemplateRow>(
    `INSERT INTO message_templates (waba_id, meta_template_id, name, language, category, status, parameter_format, components,
                                    placeholders, placeholder_count, quality_score, rejected_reason, synced_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12, $13, $13)
     ON CONFLICT (waba_id, name, language) DO UPDATE SET
       meta_template_id = COALESCE(EXCLUDED.meta_template_id, message_templates.meta_template_id),
       category = COALESCE(EXCLUDED.category, message_templates.category),
       status = EXCLUDED.status,
       parameter_format = EXCLUDED.parameter_format,
       components = EXCLUDED.components,
       placeholders = EXCLUDED.placeholders,
       placeholder_count = EXCLUDED.placeholder_count,
       quality_score = COALESCE(EXCLUDED.quality_score, message_templates.quality_score),
       rejected_reason = EXCLUDED.rejected_reason,
       synced_at = EXCLUDED.synced_at,
       updated_at = EXCLUDED.updated_at
     WHERE $14::timestamptz IS NULL OR NOT (message_templates.status = 'DELETED' AND message_templates.updated_at >= $14)
     RETURNING *`,
    [
      wabaId,
      t.metaTemplateId ?? null,
      t.name,
      t.language,
      t.category ?? null,
      t.status,
      (t.parameterFormat ?? 'POSITIONAL').toUpperCase(),
      JSON.stringify(t.components ?? []),
      JSON.stringify(placeholders),
      placeholders.length,
      t.qualityScore ?? null,
      t.rejectedReason ?? null,
      at,
      listedBefore ?? null,
    ],
  );
  return r.rows[0];
}

export async function findTemplate(q: Queryable, wabaId: string, name: string, language: string): Promise<TemplateRow | undefined> {
  const r = await q.query<TemplateRow>(`SELECT * FROM message_templates WHERE waba_id = $1 AND name = $2 AND language = $3`, [wabaId, name, language]);
  return r.rows[0];
}

export async function listApprovedTemplates(q: Queryable, wabaId: string): Promise<TemplateRow[]> {
  const r = await q.query<TemplateRow>(`SELECT * FROM message_templates WHERE waba_id = $1 AND status = 'APPROVED' ORDER BY name, language`, [wabaId]);
  return r.rows;
}

/**
 * Applies a `message_template_status_update` webhook: by Meta's template id, else by name and
 * language. Returns false when we do not know the template yet (the caller then syncs the WABA).
 * A move to REJECTED leaves a notice for the admin (review-notices.ts), in the same transaction.
 */
export async function applyTemplateStatus(
  q: Queryable,
  p: { wabaId: string; metaTemplateId?: string; name?: string; language?: string; event: string; reason?: string | null; category?: string; detail?: unknown; at: Date },
): Promise<boolean> {
  const r = await q.query<{ name: string; language: string; previous: string }>(
    `WITH old AS (
       SELECT id, status FROM message_templates
        WHERE waba_id = $1 AND (meta_template_id = $2 OR (name = $3 AND language = $4))
          AND status <> 'DELETED' FOR UPDATE) -- a review webhook in flight when the admin deleted it changes nothing
     UPDATE message_templates m SET status = $5, rejected_reason = COALESCE($6, m.rejected_reason),
            category = COALESCE($7, m.category), status_detail = $8::jsonb,
            meta_template_id = COALESCE(m.meta_template_id, $2), updated_at = $9
       FROM old WHERE m.id = old.id
     RETURNING m.name, m.language, old.status AS previous`,
    [p.wabaId, p.metaTemplateId ?? null, p.name ?? null, p.language ?? null, p.event, p.reason ?? null, p.category ?? null, JSON.stringify(p.detail ?? null), p.at],
  );
  for (const row of r.rows) {
    if (p.event === 'REJECTED' && row.previous !== 'REJECTED') {
      await recordRejection(q, { wabaId: p.wabaId, name: row.name, language: row.language, ...rejectionText(p.reason, p.detail), at: p.at });
    }
  }
  return r.rows.length > 0;
}

export async function applyTemplateQuality(
  q: Queryable,
  p: { wabaId: string; metaTemplateId?: string; name?: string; language?: string; score: string; at: Date },
): Promise<boolean> {
  const r = await q.query(
    `UPDATE message_templates SET quality_score = $5, updated_at = $6
     WHERE waba_id = $1 AND (meta_template_id = $2 OR (name = $3 AND language = $4))`,
    [p.wabaId, p.metaTemplateId ?? null, p.name ?? null, p.language ?? null, p.score, p.at],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Templates Meta no longer lists were deleted there. */
export async function markMissingDeleted(q: Queryable, wabaId: string, keep: Array<{ name: string; language: string }>, at: Date): Promise<number> {
  const r = await q.query(
    `UPDATE message_templates SET status = 'DELETED', updated_at = $3
     WHERE waba_id = $1 AND status <> 'DELETED'
       AND NOT ((name || E'\\x1f' || language) = ANY($2::text[]))`,
    [wabaId, keep.map((k) => `${k.name}\x1f${k.language}`), at],
  );
  return r.rowCount ?? 0;
}

/** Every template of a WABA but deleted ones (the Templates page: pending, rejected with reason, paused…). */
export async function listAllTemplates(q: Queryable, wabaId: string): Promise<TemplateRow[]> {
  const r = await q.query<TemplateRow>(`SELECT * FROM message_templates WHERE waba_id = $1 AND status <> 'DELETED' ORDER BY name, language`, [wabaId]);
  return r.rows;
}

/** Names a rejected or deleted template of this account used: never reused (notes §11.6). */
export async function blockedTemplateNames(q: Queryable, wabaId: string): Promise<Set<string>> {
  const r = await q.query<{ name: string }>(`SELECT DISTINCT name FROM message_templates WHERE waba_id = $1 AND status IN ('REJECTED', 'DELETED')`, [wabaId]);
  return new Set(r.rows.map((x) => x.name));
}

/** After a delete at Meta (every language of the name). */
export async function markNameDeleted(q: Queryable, wabaId: string, name: string, at: Date): Promise<number> {
  const r = await q.query(`UPDATE message_templates SET status = 'DELETED', updated_at = $3 WHERE waba_id = $1 AND name = $2 AND status <> 'DELETED'`, [wabaId, name, at]);
  return r.rowCount ?? 0;
}

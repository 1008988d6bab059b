import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { TemplateComponent } from './placeholders.js';
import { markMissingDeleted, upsertTemplate } from './repo.js';
import { recordRejection } from './review-notices.js';

/** A template as Meta's list endpoint returns it. */
export interface RemoteTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  category?: string;
  parameter_format?: string;
  components?: Array<Record<string, unknown>>;
  quality_score?: { score?: string } | string;
  rejected_reason?: string;
}

export interface SyncResult {
  wabaId: string;
  total: number;
  approved: number;
  deleted: number;
}

/**
 * Mirrors every template of a WABA (all pages, every status, so status changes are followed):
 * language, category, components and placeholder count; templates Meta no longer lists are
 * marked DELETED. One transaction, so a listing never shows a half-synced WABA.
 */
export async function syncTemplates(
  deps: { db: Database; logger: Logger; now: () => Date },
  wabaId: string,
  listRemote: (wabaId: string) => Promise<RemoteTemplate[]>,
): Promise<SyncResult> {
  const listedBefore = deps.now();
  const remote = await listRemote(wabaId);
  const at = deps.now();
  const result = await deps.db.tx(async (c) => {
    const before = new Map(
      (await c.query<{ name: string; language: string; status: string }>('SELECT name, language, status FROM message_templates WHERE waba_id = $1', [wabaId])).rows.map(
        (r) => [`${r.name}\x1f${r.language}`, r.status],
      ),
    );
    for (const t of remote) {
      const q = t.quality_score;
      await upsertTemplate(
        c,
        wabaId,
        {
          metaTemplateId: String(t.id),
          name: t.name,
          language: t.language,
          category: t.category ?? null,
          status: String(t.status).toUpperCase(),
          parameterFormat: t.parameter_format ?? 'POSITIONAL',
          components: (t.components ?? []) as TemplateComponent[],
          qualityScore: typeof q === 'string' ? q : (q?.score ?? null),
          rejectedReason: t.rejected_reason ?? null,
        },
        at,
        listedBefore,
      );
      // A rejection the webhook did not bring: the admin is told all the same.
      if (String(t.status).toUpperCase() === 'REJECTED' && before.get(`${t.name}\x1f${t.language}`) !== 'REJECTED') {
        await recordRejection(c, { wabaId, name: t.name, language: t.language, reason: t.rejected_reason && t.rejected_reason !== 'NONE' ? t.rejected_reason : null, recommendation: null, at });
      }
    }
    const deleted = await markMissingDeleted(c, wabaId, remote, at);
    await c.query(`UPDATE whatsapp_numbers SET templates_synced_at = $2 WHERE waba_id = $1`, [wabaId, at]);
    return { wabaId, total: remote.length, approved: remote.filter((t) => String(t.status).toUpperCase() === 'APPROVED').length, deleted };
  });
  deps.logger.info(result, 'templates synced');
  return result;
}

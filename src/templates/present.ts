import { headerMediaFormat, type TemplateComponent } from './placeholders.js';
import type { TemplateRow } from './repo.js';
import { rejectionText } from './review-notices.js';

function comp(components: TemplateComponent[], type: string): TemplateComponent | undefined {
  return components.find((c) => String(c.type).toUpperCase() === type);
}

/** The extension API's view of a template (docs/extension-api.md, GET /api/v1/templates). */
export function templateJson(t: TemplateRow) {
  /** Meta's reason and recommendation when it rejected (or paused/disabled) the template; absent otherwise. */
  const review = t.status === 'APPROVED' || t.status === 'PENDING' ? null : reviewOf(t);
  const header = comp(t.components, 'HEADER');
  const media = headerMediaFormat(t.components);
  const buttons = comp(t.components, 'BUTTONS')?.buttons ?? [];
  return {
    name: t.name,
    language: t.language,
    category: t.category,
    status: t.status,
    ...(review ? { review } : {}),
    header: header ? { format: String(header.format ?? 'TEXT').toUpperCase(), text: media ? null : (header.text ?? null) } : null,
    body: comp(t.components, 'BODY')?.text ?? '',
    footer: comp(t.components, 'FOOTER')?.text ?? null,
    buttons: buttons.map((b) => ({ type: String(b.type ?? '').toUpperCase(), text: b.text ?? null })),
    placeholders: t.placeholders.map((p) => ({
      component: p.component,
      index: p.index,
      ...(p.name ? { name: p.name } : {}),
      ...(p.buttonIndex !== undefined ? { buttonIndex: p.buttonIndex } : {}),
      example: p.example ?? null,
    })),
  };
}

function reviewOf(t: TemplateRow): { reason: string | null; recommendation: string | null } | null {
  const r = rejectionText(t.rejected_reason, t.status_detail);
  const other = (t.status_detail as { other_info?: { title?: string; description?: string } | null } | null)?.other_info;
  if (!r.reason && other?.title) return { reason: [other.title, other.description].filter(Boolean).join(': '), recommendation: r.recommendation };
  return r.reason || r.recommendation ? r : null;
}

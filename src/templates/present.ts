import { headerMediaFormat, type TemplateComponent } from './placeholders.js';
import type { TemplateRow } from './repo.js';

function comp(components: TemplateComponent[], type: string): TemplateComponent | undefined {
  return components.find((c) => String(c.type).toUpperCase() === type);
}

/** The extension API's view of a template (docs/extension-api.md, GET /api/v1/templates). */
export function templateJson(t: TemplateRow) {
  const header = comp(t.components, 'HEADER');
  const media = headerMediaFormat(t.components);
  const buttons = comp(t.components, 'BUTTONS')?.buttons ?? [];
  return {
    name: t.name,
    language: t.language,
    category: t.category,
    status: t.status,
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

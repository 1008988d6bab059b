import { Flex, Tag, Text, Tile } from '@hubspot/ui-extensions';
import { renderTemplatePreview } from './format';
import type { Template } from './types';

/** Header, body and footer with the rep's values in place of the placeholders (a missing one stays {{n}}). */
function filled(t: Template, values: string[], component: 'header' | 'body', text: string): string {
  const byKey: Record<string, string> = {};
  t.placeholders.forEach((p, i) => {
    if (p.component === component && (values[i] ?? '').trim()) byKey[p.name ?? String(p.index)] = values[i]!;
  });
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (m, k: string) => byKey[k] ?? m);
}

/**
 * The template as the customer will see it on WhatsApp (issue 15; same layout as the Templates
 * page's preview): header, body, footer and buttons, filled with the rep's values. The
 * `template-preview` text keeps the whole message in one string for screen readers and tests.
 */
export function TemplatePreview({ template, values }: { template: Template; values: string[] }) {
  const h = template.header;
  const missing = template.placeholders.filter((p, i) => p.component !== 'button' && !(values[i] ?? '').trim()).length;
  return (
    <Tile compact testId="template-preview-bubble">
      <Flex direction="column" gap="xs">
        {h && h.format !== 'TEXT' ? <Text testId="template-preview-media">{`[${h.format.toLowerCase()}]`}</Text> : null}
        {h?.format === 'TEXT' && h.text ? (
          <Text testId="template-preview-header" format={{ fontWeight: 'bold' }}>
            {filled(template, values, 'header', h.text)}
          </Text>
        ) : null}
        <Text testId="template-preview-body">{filled(template, values, 'body', template.body)}</Text>
        {template.footer ? (
          <Text testId="template-preview-footer" variant="microcopy">
            {template.footer}
          </Text>
        ) : null}
        {(template.buttons ?? []).some((b) => b.text) ? (
          <Flex gap="xs" wrap>
            {(template.buttons ?? []).map((b, i) => (b.text ? <Tag key={i} testId={`template-preview-button-${i}`}>{b.text}</Tag> : null))}
          </Flex>
        ) : null}
        {missing ? (
          <Text testId="template-preview-missing" variant="microcopy">
            {`${missing} value${missing === 1 ? '' : 's'} still to fill in.`}
          </Text>
        ) : null}
        <Text testId="template-preview" variant="microcopy">
          {renderTemplatePreview(template, values)}
        </Text>
      </Flex>
    </Tile>
  );
}

import { Flex, Tag, Text, Tile } from '@hubspot/ui-extensions';

export interface PreviewContent {
  header: { format: string; text: string | null } | null;
  body: string;
  footer: string | null;
  buttons: { type: string; text: string | null }[];
}

/** Fills {{n}} / {{name}} with `values` (1-based or by name); a missing value shows as [n]. */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*([\w]+)\s*\}\}/g, (_m, k: string) => (values[k]?.trim() ? values[k]! : `[${k}]`));
}

const MEDIA_LABEL: Record<string, string> = { IMAGE: '🖼 Image', VIDEO: '🎬 Video', DOCUMENT: '📄 Document', LOCATION: '📍 Location' };

/** The template as the customer sees it on WhatsApp: header, body, footer, then the buttons. */
export function MessagePreview({ content, values = {}, headerValues = {}, testId = 'message-preview' }: { content: PreviewContent; values?: Record<string, string>; headerValues?: Record<string, string>; testId?: string }) {
  const h = content.header;
  return (
    <Tile compact testId={testId}>
      <Flex direction="column" gap="xs">
        {h && h.format !== 'TEXT' ? <Text testId={`${testId}-media`}>{`${MEDIA_LABEL[h.format] ?? h.format}${h.text ? ` · ${h.text}` : ''}`}</Text> : null}
        {h && h.format === 'TEXT' && h.text ? (
          <Text testId={`${testId}-header`} format={{ fontWeight: 'bold' }}>
            {fillPlaceholders(h.text, headerValues)}
          </Text>
        ) : null}
        <Text testId={`${testId}-body`}>{content.body ? fillPlaceholders(content.body, values) : 'Write the message body…'}</Text>
        {content.footer ? (
          <Text testId={`${testId}-footer`} variant="microcopy">
            {content.footer}
          </Text>
        ) : null}
        {content.buttons.length ? (
          <Flex gap="xs" wrap testId={`${testId}-buttons`}>
            {content.buttons.map((b, i) => (
              <Tag key={i} testId={`${testId}-button-${i}`} variant="default">
                {`${b.type === 'URL' ? '↗ ' : b.type === 'PHONE_NUMBER' ? '📞 ' : '↩ '}${b.text || '…'}`}
              </Tag>
            ))}
          </Flex>
        ) : null}
      </Flex>
    </Tile>
  );
}

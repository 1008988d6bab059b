import { Box, Flex, Link, StatusTag, Text, Tile } from '@hubspot/ui-extensions';
import { DELIVERY_LABEL, deliveryVariant, failureReason, formatTime } from './format';
import type { Message } from './types';

export function mediaLabel(m: Message): string {
  if (!m.media) return '';
  const kind = m.type === 'text' ? 'file' : m.type;
  return m.media.filename ? `📎 ${m.media.filename}` : `📎 Open ${kind} (${m.media.mimeType})`;
}

export function MessageBubble({ message: m, timeZone }: { message: Message; timeZone?: string }) {
  const inbound = m.direction === 'in';
  const who = inbound ? 'Customer' : (m.sentBy ?? 'Sent from HubSpot');
  return (
    <Flex testId={`message-${m.id}`} justify={inbound ? 'start' : 'end'}>
      <Box flex="initial">
        <Tile compact>
          <Flex direction="column" gap="flush">
            <Text variant="microcopy" format={{ fontWeight: 'demibold' }}>
              {inbound ? '⬅ ' : '➡ '}
              {who} · {formatTime(m.sentAt, timeZone)}
            </Text>
            {m.type === 'template' && m.templateName ? (
              <Text variant="microcopy">Template: {m.templateName}</Text>
            ) : null}
            {m.text ? <Text testId={`message-text-${m.id}`}>{m.text}</Text> : null}
            {!m.text && !m.media ? <Text format={{ italic: true }}>({m.type} message)</Text> : null}
            {m.media ? (
              <Link testId={`media-${m.id}`} href={{ url: m.media.url, external: true }}>
                {mediaLabel(m)}
              </Link>
            ) : null}
            {!inbound && m.status ? (
              <Flex justify="end" gap="xs">
                <StatusTag testId={`delivery-${m.id}`} variant={deliveryVariant(m.status)}>
                  {DELIVERY_LABEL[m.status]}
                </StatusTag>
              </Flex>
            ) : null}
            {!inbound && m.status === 'failed' ? (
              <Text testId={`failure-${m.id}`} variant="microcopy">
                Not delivered: {failureReason(m.error)}
                {m.error ? ` (WhatsApp error ${m.error.code})` : ''}
              </Text>
            ) : null}
          </Flex>
        </Tile>
      </Box>
    </Flex>
  );
}

import { DescriptionList, DescriptionListItem, Flex, Heading, StatusTag, Tag, Text } from '@hubspot/ui-extensions';
import { CONSENT_LABEL, STATUS_LABEL, type WindowState } from './format';
import type { ContactState, Conversation } from './types';

export interface CardHeaderProps {
  contact: ContactState;
  conversation: Conversation | null;
  window: WindowState;
}

export function displayPhone(contact: ContactState): string {
  if (contact.phone) return contact.phone;
  if (contact.waId) return `+${contact.waId}`;
  return 'No phone number';
}

export function CardHeader({ contact, conversation, window }: CardHeaderProps) {
  const consentVariant = contact.consent === 'granted' ? 'success' : contact.consent === 'declined' ? 'error' : 'warning';
  const statusVariant =
    conversation?.status === 'open' ? 'success' : conversation?.status === 'resolved' ? 'default' : 'info';
  return (
    <Flex direction="column" gap="xs">
      <Heading>WhatsApp {displayPhone(contact)}</Heading>
      <DescriptionList direction="row">
        <DescriptionListItem label="WhatsApp number">
          <Text testId="wa-number">{displayPhone(contact)}</Text>
        </DescriptionListItem>
        <DescriptionListItem label="Consent">
          <Flex gap="xs">
            <Tag testId="consent-tag" variant={consentVariant}>
              {CONSENT_LABEL[contact.consent]}
            </Tag>
            {contact.optedOut ? (
              <Tag testId="opted-out-tag" variant="error">
                Opted out
              </Tag>
            ) : null}
          </Flex>
        </DescriptionListItem>
        <DescriptionListItem label="Status">
          <StatusTag testId="status-tag" variant={statusVariant}>
            {conversation ? STATUS_LABEL[conversation.status] : 'No conversation'}
            {conversation?.status === 'resolved' && conversation.label ? ` · ${conversation.label}` : ''}
          </StatusTag>
        </DescriptionListItem>
        <DescriptionListItem label="Assigned to">
          <Text testId="assignee">{conversation?.assignee?.name ?? 'Unassigned'}</Text>
        </DescriptionListItem>
        <DescriptionListItem label="Reply window">
          <StatusTag
            testId="window-countdown"
            variant={!window.open ? 'default' : window.urgent ? 'danger' : 'success'}
          >
            {window.text}
          </StatusTag>
        </DescriptionListItem>
      </DescriptionList>
    </Flex>
  );
}

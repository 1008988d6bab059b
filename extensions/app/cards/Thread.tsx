import { Button, Flex, LoadingSpinner, Text } from '@hubspot/ui-extensions';
import { MessageBubble } from './MessageBubble';
import type { Message } from './types';

export interface ThreadProps {
  messages: Message[];
  hasOlder: boolean;
  loadingOlder: boolean;
  olderError: string | null;
  onLoadOlder: () => void;
  timeZone?: string;
}

/** Oldest first, newest last. */
export function Thread({ messages, hasOlder, loadingOlder, olderError, onLoadOlder, timeZone }: ThreadProps) {
  return (
    <Flex direction="column" gap="sm" testId="thread">
      {hasOlder ? (
        <Flex justify="center">
          {loadingOlder ? (
            <LoadingSpinner label="Loading older messages" size="xs" />
          ) : (
            <Button testId="load-older" variant="transparent" size="sm" onClick={() => onLoadOlder()}>
              Load older messages
            </Button>
          )}
        </Flex>
      ) : messages.length > 0 ? (
        <Text variant="microcopy">Start of the conversation</Text>
      ) : null}
      {olderError ? <Text variant="microcopy">Couldn&apos;t load older messages: {olderError}</Text> : null}
      {messages.map((m) => (
        <MessageBubble key={m.id} message={m} timeZone={timeZone} />
      ))}
    </Flex>
  );
}

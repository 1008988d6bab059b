import { Button, Flex, Heading, Input, Select, Text, TextArea, Tile } from '@hubspot/ui-extensions';
import { fieldError, type SectionProps } from './section';
import type { WhatsAppNumber } from './types';

const ALL = '__all__';

export function QuickRepliesSection({ draft, update, err, numbers }: SectionProps & { numbers: WhatsAppNumber[] }) {
  return (
    <Flex direction="column" gap="md" testId="quick-replies-section">
      <Heading>Quick replies</Heading>
      <Text variant="microcopy">Canned answers reps insert from the card, for every number or for one number.</Text>
      {draft.quickReplies.length === 0 ? <Text testId="no-quick-replies">No quick replies yet.</Text> : null}
      {draft.quickReplies.map((q, i) => (
        <Tile key={q.id || `new-${i}`} compact testId={`quick-reply-${i}`}>
          <Flex direction="column" gap="xs">
            <Select
              testId={`qr-number-${i}`}
              label="Number"
              name={`qr-number-${i}`}
              value={q.phoneNumberId ?? ALL}
              options={[{ label: 'All numbers', value: ALL }, ...numbers.map((n) => ({ label: n.label, value: n.phoneNumberId }))]}
              onChange={(v) => update((d) => void (d.quickReplies[i].phoneNumberId = v === ALL ? null : String(v)))}
              {...fieldError(err(`quickReplies.${i}.phoneNumberId`))}
            />
            <Input
              testId={`qr-title-${i}`}
              label="Title"
              name={`qr-title-${i}`}
              required
              value={q.title}
              onChange={(v) => update((d) => void (d.quickReplies[i].title = v))}
              onInput={(v) => update((d) => void (d.quickReplies[i].title = v))}
              {...fieldError(err(`quickReplies.${i}.title`))}
            />
            <TextArea
              testId={`qr-text-${i}`}
              label="Text"
              name={`qr-text-${i}`}
              required
              rows={3}
              value={q.text}
              onChange={(v) => update((d) => void (d.quickReplies[i].text = v))}
              onInput={(v) => update((d) => void (d.quickReplies[i].text = v))}
              {...fieldError(err(`quickReplies.${i}.text`))}
            />
            <Flex>
              <Button
                testId={`remove-qr-${i}`}
                size="sm"
                variant="transparent"
                onClick={() => update((d) => void d.quickReplies.splice(i, 1))}
              >
                Remove
              </Button>
            </Flex>
          </Flex>
        </Tile>
      ))}
      <Flex>
        <Button
          testId="add-quick-reply"
          size="sm"
          variant="secondary"
          onClick={() => update((d) => void d.quickReplies.push({ id: '', phoneNumberId: null, title: '', text: '' }))}
        >
          Add quick reply
        </Button>
      </Flex>
    </Flex>
  );
}

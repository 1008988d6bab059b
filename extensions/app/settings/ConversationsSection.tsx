import { useState } from 'react';
import { Button, Flex, Heading, Input, NumberInput, Tag, Text, Toggle } from '@hubspot/ui-extensions';
import { fieldError, type SectionProps } from './section';

function ResolutionLabels({ draft, update, err }: SectionProps) {
  const [label, setLabel] = useState('');
  const [labelError, setLabelError] = useState<string | undefined>();

  const addLabel = () => {
    const l = label.trim();
    if (!l) return setLabelError('Write a label first');
    if (draft.resolutionLabels.some((x) => x.toLowerCase() === l.toLowerCase())) return setLabelError('Already listed');
    update((d) => void d.resolutionLabels.push(l));
    setLabel('');
    setLabelError(undefined);
  };

  return (
    <>
      <Heading>Resolution labels</Heading>
      <Text variant="microcopy">Reps must pick one of these to resolve a conversation.</Text>
      {err('resolutionLabels') ? (
        <Text testId="labels-error" format={{ fontWeight: 'demibold' }}>
          {err('resolutionLabels')}
        </Text>
      ) : null}
      <Flex gap="xs" wrap>
        {draft.resolutionLabels.map((l, i) => (
          <Flex key={`${l}-${i}`} gap="flush" align="center">
            <Tag testId={`label-${i}`}>{l}</Tag>
            {err(`resolutionLabels.${i}`) ? <Text variant="microcopy">{err(`resolutionLabels.${i}`)}</Text> : null}
            <Button
              testId={`remove-label-${i}`}
              size="xs"
              variant="transparent"
              onClick={() => update((d) => void d.resolutionLabels.splice(i, 1))}
            >
              ✕
            </Button>
          </Flex>
        ))}
      </Flex>
      <Flex gap="xs" align="end">
        <Input
          testId="new-label"
          label="New label"
          name="newLabel"
          placeholder="Resolved by Premium"
          value={label}
          onChange={(v) => {
            setLabel(v);
            setLabelError(undefined);
          }}
          {...fieldError(labelError)}
        />
        <Button testId="add-label" size="sm" onClick={() => addLabel()}>
          Add label
        </Button>
      </Flex>
    </>
  );
}

/** Resolution labels, end-of-day close and the urgency threshold. */
export function ConversationsSection(props: SectionProps) {
  const { draft, update, err } = props;
  return (
    <Flex direction="column" gap="md" testId="conversations-section">
      <ResolutionLabels {...props} />

      <Heading>End of day</Heading>
      <Toggle
        testId="auto-close"
        label="Close conversations still open at the end of the business day"
        checked={draft.autoClose.enabled}
        onChange={(v) => update((d) => void (d.autoClose.enabled = v))}
      />
      {draft.autoClose.enabled ? (
        <Input
          testId="auto-close-at"
          label="Close at (optional)"
          name="autoCloseAt"
          description="HH:MM in the business time zone. Empty: at the end of each day's business hours."
          placeholder="19:00"
          value={draft.autoClose.at ?? ''}
          onChange={(v) =>
            update((d) => {
              const t = v.trim();
              if (t) d.autoClose.at = t;
              else delete d.autoClose.at;
            })
          }
          {...fieldError(err('autoClose.at'))}
        />
      ) : null}

      <Heading>Reply window</Heading>
      <NumberInput
        testId="window-alert-minutes"
        label="Flag a conversation as urgent when its 24-hour window has less than (minutes)"
        name="windowAlertMinutes"
        min={1}
        max={1440}
        value={draft.windowAlertMinutes}
        onChange={(v) => update((d) => void (d.windowAlertMinutes = v))}
        {...fieldError(err('windowAlertMinutes'))}
      />
    </Flex>
  );
}

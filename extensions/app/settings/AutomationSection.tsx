import { Flex, Heading, Input, NumberInput, Text, Toggle } from '@hubspot/ui-extensions';
import { fieldError, type SectionProps } from './section';
import type { Settings } from './types';

const REMINDER = { enabled: false, afterMinutes: 1440, templateName: null, language: null };
const NOTICE = { enabled: false, templateName: null, language: null };

/** F7: the reminder after the agent's last message and the out-of-hours notice (approved templates). */
export function AutomationSection({ draft, update, err }: SectionProps) {
  const r = draft.reminder ?? REMINDER;
  const n = draft.outOfHoursNotice ?? NOTICE;
  const setR = (patch: Partial<NonNullable<Settings['reminder']>>) => update((d) => void (d.reminder = { ...(d.reminder ?? REMINDER), ...patch }));
  const setN = (patch: Partial<NonNullable<Settings['outOfHoursNotice']>>) => update((d) => void (d.outOfHoursNotice = { ...(d.outOfHoursNotice ?? NOTICE), ...patch }));
  return (
    <Flex direction="column" gap="md" testId="automation-section">
      <Heading>Reminder</Heading>
      <Text variant="microcopy">
        When a conversation has waited on the customer this long after the agent&apos;s last message, the app sends this approved template once. Its
        variables are filled with the customer&apos;s name and your business name.
      </Text>
      <Toggle testId="reminder-enabled" label="Send a reminder" checked={r.enabled} onChange={(v) => setR({ enabled: v })} />
      <NumberInput testId="reminder-minutes" name="afterMinutes" label="After (minutes)" value={r.afterMinutes} onChange={(v) => setR({ afterMinutes: Number(v) })} {...fieldError(err('reminder.afterMinutes'))} />
      <Flex gap="sm">
        <Input testId="reminder-template" name="reminderTemplate" label="Template name" value={r.templateName ?? ''} onChange={(v) => setR({ templateName: v || null })} {...fieldError(err('reminder.templateName'))} />
        <Input testId="reminder-language" name="reminderLanguage" label="Language" value={r.language ?? ''} onChange={(v) => setR({ language: v || null })} {...fieldError(err('reminder.language'))} />
      </Flex>
      <Heading>Out-of-hours notice</Heading>
      <Text variant="microcopy">
        When a customer writes outside business hours and the 24-hour window closes before the team is back, this template goes an hour before it
        closes (customer&apos;s name, business name, when the team is back).
      </Text>
      <Toggle testId="notice-enabled" label="Send the out-of-hours notice" checked={n.enabled} onChange={(v) => setN({ enabled: v })} />
      <Flex gap="sm">
        <Input testId="notice-template" name="noticeTemplate" label="Template name" value={n.templateName ?? ''} onChange={(v) => setN({ templateName: v || null })} {...fieldError(err('outOfHoursNotice.templateName'))} />
        <Input testId="notice-language" name="noticeLanguage" label="Language" value={n.language ?? ''} onChange={(v) => setN({ language: v || null })} {...fieldError(err('outOfHoursNotice.language'))} />
      </Flex>
    </Flex>
  );
}

import { useEffect, useState } from 'react';
import { Alert, ErrorState, Flex, Heading, LoadingSpinner, ProgressBar, Text } from '@hubspot/ui-extensions';
import { ApiError, useBackend } from '../backend';

interface Usage {
  period: { from: string; to: string };
  plan: { name: string; activeContacts: number | null; seats: number | null };
  used: { activeContacts: number; seats: number };
}

function Meter({ title, used, limit, testId }: { title: string; used: number; limit: number | null; testId: string }) {
  if (limit === null) return <Text testId={testId}>{`${title}: ${used} (unlimited)`}</Text>;
  return <ProgressBar testId={testId} title={title} value={Math.min(used, limit)} maxValue={Math.max(limit, 1)} valueDescription={`${used} of ${limit}`} showPercentage />;
}

/** F24: the portal's plan and what this month used of it. */
export function UsagePage() {
  const backend = useBackend();
  const [state, setState] = useState<{ usage?: Usage; error?: string }>({});
  useEffect(() => {
    backend.get<Usage>('/usage').then(
      (usage) => setState({ usage }),
      (e) => setState({ error: e instanceof ApiError ? e.message : 'Usage could not be loaded.' }),
    );
  }, [backend]);
  if (state.error) {
    return (
      <ErrorState title="Usage could not be loaded" testId="usage-error">
        <Text>{state.error}</Text>
      </ErrorState>
    );
  }
  const u = state.usage;
  if (!u) return <LoadingSpinner label="Loading usage…" showLabel testId="usage-loading" />;
  const contactsFull = u.plan.activeContacts !== null && u.used.activeContacts >= u.plan.activeContacts;
  const contactsNear = u.plan.activeContacts !== null && !contactsFull && u.used.activeContacts * 100 >= 80 * u.plan.activeContacts;
  return (
    <Flex direction="column" gap="md">
      <Heading>{`Plan: ${u.plan.name}`}</Heading>
      <Text variant="microcopy">{`This month: ${u.period.from} to ${u.period.to}. An active contact had a WhatsApp message in or out this month.`}</Text>
      <Meter title="Active contacts" used={u.used.activeContacts} limit={u.plan.activeContacts} testId="usage-contacts" />
      <Meter title="Agent seats" used={u.used.seats} limit={u.plan.seats} testId="usage-seats" />
      {contactsFull ? (
        <Alert testId="usage-alert" title="The plan's contacts are used up" variant="danger">
          Reps cannot start conversations with new contacts until next month. Customers who write in are still received and answered.
        </Alert>
      ) : null}
      {contactsNear ? (
        <Alert testId="usage-alert" title="80% of the plan's contacts are used" variant="warning">
          When the plan is full, reps cannot start conversations with new contacts until next month.
        </Alert>
      ) : null}
    </Flex>
  );
}

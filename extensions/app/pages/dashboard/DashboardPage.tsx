import { useEffect, useState } from 'react';
import { Button, EmptyState, ErrorState, Flex, Heading, LoadingSpinner, Text } from '@hubspot/ui-extensions';
import { ApiError, useBackend } from '../backend';
import { PerAgent, PerDay, Totals } from './Charts';
import { ExportLink } from './ExportLink';
import { Filters } from './Filters';
import { rangeEnding } from './format';
import type { AgentOption, Filter, NumberOption, Report } from './types';

type Load = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; report: Report };

/** F23: the manager's figures for a range, a number and an agent, with a CSV export. */
export function DashboardPage() {
  const backend = useBackend();
  const [filter, setFilter] = useState<Filter>({ days: 30, phoneNumberId: '', agentId: '' });
  const [numbers, setNumbers] = useState<NumberOption[]>([]);
  const [agents, setAgents] = useState<AgentOption[]>([]);
  // Each result remembers the query it answers; a result for another query shows as loading.
  const [result, setResult] = useState<{ key: string; load: Load } | null>(null);
  const [attempt, setAttempt] = useState(0);
  const range = rangeEnding(backend.today(), filter.days);
  const query = { ...range, phoneNumberId: filter.phoneNumberId || undefined, agentId: filter.agentId || undefined };

  useEffect(() => {
    // The filters' options; the dashboard works without them (all numbers, all agents).
    backend.get<{ numbers: NumberOption[] }>('/whatsapp-numbers').then((r) => setNumbers(r.numbers ?? []), () => setNumbers([]));
    backend.get<{ agents: AgentOption[] }>('/agents').then((r) => setAgents(r.agents ?? []), () => setAgents([]));
  }, [backend]);

  const key = JSON.stringify([query.from, query.to, query.phoneNumberId, query.agentId, attempt]);
  const load: Load = result && result.key === key ? result.load : { status: 'loading' };

  useEffect(() => {
    let live = true;
    backend.get<Report>('/reports/conversations', query).then(
      (report) => live && setResult({ key, load: { status: 'ready', report } }),
      (e) => live && setResult({ key, load: { status: 'error', message: e instanceof ApiError ? e.message : 'The report could not be loaded.' } }),
    );
    return () => {
      live = false;
    };
  }, [backend, key]);

  return (
    <Flex direction="column" gap="md">
      <Heading>WhatsApp conversations</Heading>
      <Filters filter={filter} numbers={numbers} agents={agents} onChange={setFilter} />
      {load.status === 'loading' ? <LoadingSpinner label="Loading the report…" showLabel testId="loading" /> : null}
      {load.status === 'error' ? (
        <ErrorState title="The report could not be loaded" testId="error">
          <Text>{load.message}</Text>
          <Button onClick={() => setAttempt((n) => n + 1)}>Try again</Button>
        </ErrorState>
      ) : null}
      {load.status === 'ready' && load.report.totals.conversations === 0 ? (
        <EmptyState title="No conversations in this range" layout="vertical" testId="empty">
          <Text>{`Nothing started between ${range.from} and ${range.to}. Try a longer range or another number.`}</Text>
        </EmptyState>
      ) : null}
      {load.status === 'ready' && load.report.totals.conversations > 0 ? (
        <>
          <Text variant="microcopy">{`${load.report.range.from} to ${load.report.range.to} (${load.report.range.timeZone})`}</Text>
          <Totals report={load.report} />
          <PerDay report={load.report} />
          <PerAgent report={load.report} />
          <ExportLink query={query} />
        </>
      ) : null}
    </Flex>
  );
}

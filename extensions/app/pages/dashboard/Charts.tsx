import {
  BarChart, LineChart, Statistics, StatisticsItem, Table, TableBody, TableCell, TableHead, TableHeader, TableRow, Text,
} from '@hubspot/ui-extensions';
import { duration, minutes } from './format';
import type { Report } from './types';

export function Totals({ report }: { report: Report }) {
  const t = report.totals;
  return (
    <Statistics testId="totals">
      <StatisticsItem label="Conversations" number={t.conversations} />
      <StatisticsItem label="Open" number={t.open} />
      <StatisticsItem label="Resolved" number={t.resolved} />
      <StatisticsItem label="Answered" number={t.answered} />
      <StatisticsItem label="Unanswered" number={t.unanswered} />
      <StatisticsItem label="Avg first response" number={duration(t.avgFirstResponseSeconds)}>
        <Text variant="microcopy">{`${duration(t.avgFirstResponseBusinessSeconds)} in business hours`}</Text>
      </StatisticsItem>
      <StatisticsItem label="Avg resolution" number={duration(t.avgResolutionSeconds)} />
    </Statistics>
  );
}

export function PerDay({ report }: { report: Report }) {
  const data = report.byDay.flatMap((d) => [
    { date: d.date, series: 'Conversations', value: d.conversations },
    { date: d.date, series: 'Avg first response (min)', value: minutes(d.avgFirstResponseSeconds) },
  ]);
  return (
    <LineChart
      testId="per-day"
      data={data}
      axes={{ x: { field: 'date', fieldType: 'datetime', label: 'Day' }, y: { field: 'value', fieldType: 'linear', label: 'Value' }, options: { groupFieldByColor: 'series' } }}
      options={{ title: 'Per day', showLegend: true, showTooltips: true }}
    />
  );
}

export function PerAgent({ report }: { report: Report }) {
  const data = report.byAgent.flatMap((a) => [
    { agent: a.name, status: 'Answered', conversations: a.answered },
    { agent: a.name, status: 'Unanswered', conversations: a.unanswered },
  ]);
  return (
    <>
      <BarChart
        testId="per-agent-chart"
        data={data}
        axes={{
          x: { field: 'agent', fieldType: 'category', label: 'Agent' },
          y: { field: 'conversations', fieldType: 'linear', label: 'Conversations' },
          options: { groupFieldByColor: 'status', stacking: true },
        }}
        options={{ title: 'Per agent', showLegend: true, showTooltips: true }}
      />
      <Table testId="per-agent-table" bordered>
        <TableHead>
          <TableRow>
            {['Agent', 'Conversations', 'Open', 'Resolved', 'Answered', 'Unanswered', 'Avg first response', 'In business hours', 'Avg resolution'].map((h) => (
              <TableHeader key={h}>{h}</TableHeader>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {report.byAgent.map((a) => (
            <TableRow key={a.agentId ?? 'none'}>
              <TableCell>{a.name}</TableCell>
              <TableCell>{a.conversations}</TableCell>
              <TableCell>{a.open}</TableCell>
              <TableCell>{a.resolved}</TableCell>
              <TableCell>{a.answered}</TableCell>
              <TableCell>{a.unanswered}</TableCell>
              <TableCell>{duration(a.avgFirstResponseSeconds)}</TableCell>
              <TableCell>{duration(a.avgFirstResponseBusinessSeconds)}</TableCell>
              <TableCell>{duration(a.avgResolutionSeconds)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}

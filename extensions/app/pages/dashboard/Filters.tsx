import { Flex, Select } from '@hubspot/ui-extensions';
import type { AgentOption, Filter, NumberOption } from './types';

const RANGES = [
  { label: 'Last 7 days', value: 7 },
  { label: 'Last 30 days', value: 30 },
  { label: 'Last 90 days', value: 90 },
];

export function Filters(p: { filter: Filter; numbers: NumberOption[]; agents: AgentOption[]; onChange: (f: Filter) => void }) {
  const { filter, onChange } = p;
  return (
    <Flex direction="row" gap="md" wrap="wrap">
      <Select
        label="Range"
        name="range"
        testId="filter-range"
        value={filter.days}
        options={RANGES}
        onChange={(v) => onChange({ ...filter, days: Number(v) })}
      />
      <Select
        label="WhatsApp number"
        name="number"
        testId="filter-number"
        value={filter.phoneNumberId}
        options={[{ label: 'All numbers', value: '' }, ...p.numbers.map((n) => ({ label: n.label, value: n.phoneNumberId }))]}
        onChange={(v) => onChange({ ...filter, phoneNumberId: String(v ?? '') })}
      />
      <Select
        label="Agent"
        name="agent"
        testId="filter-agent"
        value={filter.agentId}
        options={[{ label: 'All agents', value: '' }, ...p.agents.map((a) => ({ label: a.name, value: a.agentId }))]}
        onChange={(v) => onChange({ ...filter, agentId: String(v ?? '') })}
      />
    </Flex>
  );
}

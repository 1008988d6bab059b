import { Flex, Heading, NumberInput, Select, Text } from '@hubspot/ui-extensions';
import { fieldError, type SectionProps } from './section';
import type { FallbackMethod, RoutingMethod, WhatsAppNumber } from './types';
import { ROUTING_METHODS } from './validate';

const FALLBACKS: string[] = ['round_robin', 'least_open', 'number_pool'];

export function RoutingSection({ draft, update, err, numbers }: SectionProps & { numbers: WhatsAppNumber[] }) {
  return (
    <Flex direction="column" gap="md" testId="routing-section">
      <Heading>Routing</Heading>
      <Text variant="microcopy">
        How new conversations get an agent. Only active, available agents who are not out of office get work; when
        nobody is available the conversation stays unassigned for a lead to assign.
      </Text>
      <Select
        testId="routing-method"
        label="Default method"
        name="routingMethod"
        required
        value={draft.routing.method}
        options={ROUTING_METHODS}
        onChange={(v) => update((d) => void (d.routing.method = v as RoutingMethod))}
        {...fieldError(err('routing.method'))}
      />
      {draft.routing.fallback !== undefined ? (
        <Select
          testId="routing-fallback"
          label="When the contact owner or last agent is not available"
          name="routingFallback"
          value={draft.routing.fallback}
          options={ROUTING_METHODS.filter((m) => FALLBACKS.includes(m.value))}
          onChange={(v) => update((d) => void (d.routing.fallback = v as FallbackMethod))}
          {...fieldError(err('routing.fallback'))}
        />
      ) : null}
      {draft.routing.lastAgentDays !== undefined ? (
        <NumberInput
          testId="routing-last-agent-days"
          label="“Last agent” looks back (days)"
          name="lastAgentDays"
          min={1}
          max={365}
          value={draft.routing.lastAgentDays}
          onChange={(v) => update((d) => void (d.routing.lastAgentDays = v))}
          {...fieldError(err('routing.lastAgentDays'))}
        />
      ) : null}
      {numbers.length > 0 ? <Text format={{ fontWeight: 'demibold' }}>Per number</Text> : null}
      {numbers.map((n) => (
        <Select
          key={n.phoneNumberId}
          testId={`routing-number-${n.phoneNumberId}`}
          label={n.label}
          name={`routing-${n.phoneNumberId}`}
          value={draft.routing.perNumber[n.phoneNumberId] ?? ''}
          options={[{ label: 'Use the default method', value: '' }, ...ROUTING_METHODS]}
          onChange={(v) =>
            update((d) => {
              if (v === '') delete d.routing.perNumber[n.phoneNumberId];
              else d.routing.perNumber[n.phoneNumberId] = v as RoutingMethod;
            })
          }
          {...fieldError(err(`routing.perNumber.${n.phoneNumberId}`))}
        />
      ))}
    </Flex>
  );
}

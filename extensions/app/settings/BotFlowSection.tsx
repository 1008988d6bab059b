import { Button, Flex, Heading, Input, Select, Text, TextArea, Tile, Toggle } from '@hubspot/ui-extensions';
import { BOT_FLOW_TEMPLATES } from './botFlowLibrary';
import { fieldError, type SectionProps } from './section';
import type { Agent, BotFlow, BotRoute, WhatsAppNumber } from './types';

const OFF: BotFlow = { enabled: false, template: null, maxRetries: 2, steps: [] };
const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function routeValue(r: BotRoute): string {
  return r.to === 'agents' ? `agent:${r.agentIds[0] ?? ''}` : r.to === 'number' ? `number:${r.phoneNumberId}` : 'pool';
}
function routeOf(v: string): BotRoute {
  if (v.startsWith('agent:')) return { to: 'agents', agentIds: [v.slice(6)] };
  if (v.startsWith('number:')) return { to: 'number', phoneNumberId: v.slice(7) };
  return { to: 'pool' };
}

/** F10: pick an included bot flow and edit its texts, menu options and routes. */
export function BotFlowSection({ draft, update, err, agents, numbers }: SectionProps & { agents: Agent[]; numbers: WhatsAppNumber[] }) {
  const flow = draft.botFlow ?? OFF;
  const edit = (change: (f: BotFlow) => void) =>
    update((d) => {
      const f = clone(d.botFlow ?? OFF);
      change(f);
      d.botFlow = f;
    });
  const routes = [
    { label: 'The usual routing', value: 'pool' },
    ...agents.filter((a) => a.agentId).map((a) => ({ label: `Agent: ${a.name}`, value: `agent:${a.agentId}` })),
    ...numbers.map((n) => ({ label: `Team of ${n.label}`, value: `number:${n.phoneNumberId}` })),
  ];
  return (
    <Flex direction="column" gap="md" testId="bot-flow-section">
      <Heading>Bot flow</Heading>
      <Text variant="microcopy">Runs after consent and before routing. A customer who writes &quot;agente&quot; or &quot;asesor&quot; goes straight to an agent.</Text>
      <Toggle testId="bot-flow-enabled" label="Run a bot flow" checked={flow.enabled} onChange={(v) => edit((f) => void (f.enabled = v))} />
      <Flex gap="xs" wrap>
        {BOT_FLOW_TEMPLATES.map((t) => (
          <Button key={t.id} testId={`bot-flow-template-${t.id}`} size="xs" variant="secondary" onClick={() => update((d) => void (d.botFlow = clone(t.flow)))}>
            {t.label}
          </Button>
        ))}
      </Flex>
      {err('botFlow.steps') ? <Text testId="bot-flow-error">{err('botFlow.steps')}</Text> : null}
      {flow.steps.map((s, i) => (
        <Tile key={`${s.id}-${i}`} compact testId={`bot-step-${i}`}>
          <Flex direction="column" gap="xs">
            <Text format={{ fontWeight: 'demibold' }}>{`${i + 1}. ${s.type === 'greeting' ? 'Greeting' : s.type === 'menu' ? 'Menu' : `Question (${s.field})`}`}</Text>
            {(['es', 'en'] as const).map((lang) => (
              <TextArea
                key={lang}
                testId={`bot-step-${i}-text-${lang}`}
                name={`step-${i}-${lang}`}
                label={lang === 'es' ? 'Spanish' : 'English'}
                value={s.text[lang]}
                onChange={(v) => edit((f) => void (f.steps[i]!.text[lang] = v))}
                {...fieldError(err(`botFlow.steps.${i}.text.${lang}`))}
              />
            ))}
            {s.type === 'collect' ? (
              <Input testId={`bot-step-${i}-property`} name={`step-${i}-property`} label="HubSpot contact property" value={s.property} onChange={(v) => edit((f) => void ((f.steps[i] as typeof s).property = v))} {...fieldError(err(`botFlow.steps.${i}.property`))} />
            ) : null}
            {s.type === 'menu'
              ? s.options.map((o, j) => (
                  <Flex key={`${o.id}-${j}`} gap="xs" align="end">
                    <Input testId={`bot-step-${i}-option-${j}-title`} name={`opt-${i}-${j}`} label={`Option ${j + 1}`} value={o.title.es} onChange={(v) => edit((f) => void ((f.steps[i] as typeof s).options[j]!.title.es = v))} {...fieldError(err(`botFlow.steps.${i}.options.${j}.title.es`))} />
                    <Input testId={`bot-step-${i}-option-${j}-title-en`} name={`opt-${i}-${j}-en`} label="In English" value={o.title.en} onChange={(v) => edit((f) => void ((f.steps[i] as typeof s).options[j]!.title.en = v))} />
                    <Select testId={`bot-step-${i}-option-${j}-route`} name={`route-${i}-${j}`} label="Goes to" value={routeValue(o.route)} options={routes} onChange={(v) => edit((f) => void ((f.steps[i] as typeof s).options[j]!.route = routeOf(String(v))))} />
                  </Flex>
                ))
              : null}
          </Flex>
        </Tile>
      ))}
    </Flex>
  );
}

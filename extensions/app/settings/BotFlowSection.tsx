import { Button, Flex, Heading, Input, Select, Text, TextArea, Tile, Toggle } from '@hubspot/ui-extensions';
import { BOT_FLOW_TEMPLATES } from './botFlowLibrary';
import { fieldError, type SectionProps } from './section';
import type { Agent, BotFlow, BotRoute, BotStep, WhatsAppNumber } from './types';

type Collect = Extract<BotStep, { type: 'collect' }>;
type Menu = Extract<BotStep, { type: 'menu' }>;
type Err = SectionProps['err'];

/** Standard contact properties (the backend's COLLECT_PROPERTIES); any other name is a custom property. */
const STANDARD_PROPERTIES = ['email', 'phone', 'mobilephone', 'firstname', 'lastname', 'company', 'jobtitle', 'website', 'city', 'country'];
const MAX_BUTTONS = 3;
const MAX_OPTIONS = 10;

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
            {s.type === 'collect' ? <CollectProperty step={s} i={i} err={err} edit={(change) => edit((f) => change(f.steps[i] as typeof s))} /> : null}
            {s.type === 'menu' ? <MenuOptions step={s} i={i} err={err} routes={routes} edit={(change) => edit((f) => change(f.steps[i] as typeof s))} /> : null}
          </Flex>
        </Tile>
      ))}
    </Flex>
  );
}

/** Where a collected answer goes: a standard property, or a custom one the app creates in its WhatsApp group. */
function CollectProperty({ step, i, err, edit }: { step: Collect; i: number; err: Err; edit: (change: (s: Collect) => void) => void }) {
  const custom = step.property.trim() !== '' && !STANDARD_PROPERTIES.includes(step.property.trim());
  return (
    <Flex gap="xs" align="end">
      <Input
        testId={`bot-step-${i}-property`}
        name={`step-${i}-property`}
        label="HubSpot contact property"
        description="A standard one (email, company, city…) or your own, e.g. order_number: the app creates it in the WhatsApp group if HubSpot lacks it"
        value={step.property}
        onChange={(v) => edit((st) => void (st.property = v))}
        {...fieldError(err(`botFlow.steps.${i}.property`))}
      />
      {custom ? (
        <Input
          testId={`bot-step-${i}-property-label`}
          name={`step-${i}-property-label`}
          label="Its label in HubSpot"
          value={step.propertyLabel ?? ''}
          onChange={(v) => edit((st) => void (st.propertyLabel = v))}
          {...fieldError(err(`botFlow.steps.${i}.propertyLabel`))}
        />
      ) : null}
    </Flex>
  );
}

/** A menu's options: up to 3 are reply buttons on WhatsApp, 4 to 10 a list the customer opens. */
function MenuOptions({ step, i, err, routes, edit }: { step: Menu; i: number; err: Err; routes: { label: string; value: string }[]; edit: (change: (s: Menu) => void) => void }) {
  const n = step.options.length;
  return (
    <Flex direction="column" gap="xs">
      <Text variant="microcopy" testId={`bot-step-${i}-menu-kind`}>
        {n <= MAX_BUTTONS ? `${n} option${n === 1 ? '' : 's'}: sent as reply buttons.` : `${n} options: sent as a list the customer opens (up to ${MAX_OPTIONS}).`}
      </Text>
      {step.options.map((o, j) => (
        <Flex key={`${o.id}-${j}`} gap="xs" align="end">
          <Input testId={`bot-step-${i}-option-${j}-title`} name={`opt-${i}-${j}`} label={`Option ${j + 1}`} value={o.title.es} onChange={(v) => edit((st) => void (st.options[j]!.title.es = v))} {...fieldError(err(`botFlow.steps.${i}.options.${j}.title.es`))} />
          <Input testId={`bot-step-${i}-option-${j}-title-en`} name={`opt-${i}-${j}-en`} label="In English" value={o.title.en} onChange={(v) => edit((st) => void (st.options[j]!.title.en = v))} {...fieldError(err(`botFlow.steps.${i}.options.${j}.title.en`))} />
          <Select testId={`bot-step-${i}-option-${j}-route`} name={`route-${i}-${j}`} label="Goes to" value={routeValue(o.route)} options={routes} onChange={(v) => edit((st) => void (st.options[j]!.route = routeOf(String(v))))} />
          {n > 1 ? (
            <Button testId={`bot-step-${i}-option-${j}-remove`} size="xs" variant="transparent" onClick={() => edit((st) => void st.options.splice(j, 1))}>
              Remove
            </Button>
          ) : null}
        </Flex>
      ))}
      {n < MAX_OPTIONS ? (
        <Button testId={`bot-step-${i}-add-option`} size="xs" variant="secondary" onClick={() => edit((st) => void st.options.push({ id: '', title: { es: '', en: '' }, route: { to: 'pool' } }))}>
          Add an option
        </Button>
      ) : null}
    </Flex>
  );
}

import { useState } from 'react';
import { Alert, Button, Flex, Heading, Input, MultiSelect, Select, Tag, Text, Tile, Toggle } from '@hubspot/ui-extensions';
import { ApiError, type SettingsApi } from './api';
import { fieldError } from './section';
import type { Agent, Owner, WhatsAppNumber } from './types';
import { oooPeriodError, validateAgents, type Errors } from './validate';

export interface AgentsSectionProps {
  api: SettingsApi;
  initialAgents: Agent[];
  owners: Owner[];
  numbers: WhatsAppNumber[];
  readOnly: boolean;
}

interface NewPeriod {
  from: string;
  to: string;
  error?: string;
}

function useAgentsForm(api: SettingsApi, initialAgents: Agent[], owners: Owner[]) {
  const [agents, setAgents] = useState<Agent[]>(initialAgents);
  const [ownerToAdd, setOwnerToAdd] = useState('');
  const [newPeriod, setNewPeriod] = useState<Record<string, NewPeriod>>({});
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);

  const change = (i: number, patch: Partial<Agent>) => {
    setAgents((as) => as.map((a, j) => (j === i ? { ...a, ...patch } : a)));
    setResult(null);
  };

  const addAgent = () => {
    const o = owners.find((x) => x.ownerId === ownerToAdd);
    if (!o) return;
    setAgents((as) => [
      ...as,
      { ownerId: o.ownerId, userId: o.userId, email: o.email, name: o.name, active: true, available: true, outOfOffice: [], numberIds: [] },
    ]);
    setOwnerToAdd('');
    setResult(null);
  };

  const addPeriod = (i: number, ownerId: string) => {
    const p = newPeriod[ownerId] ?? { from: '', to: '' };
    const err = oooPeriodError(p.from.trim(), p.to.trim());
    if (err) {
      setNewPeriod((n) => ({ ...n, [ownerId]: { ...p, error: err } }));
      return;
    }
    change(i, { outOfOffice: [...agents[i].outOfOffice, { from: p.from.trim(), to: p.to.trim() }] });
    setNewPeriod((n) => ({ ...n, [ownerId]: { from: '', to: '' } }));
  };

  const save = async () => {
    setResult(null);
    const e = validateAgents(agents);
    setErrors(e);
    if (Object.keys(e).length) {
      setResult({ ok: false, message: 'Fix the highlighted fields before saving.' });
      return;
    }
    setBusy(true);
    try {
      const saved = await api.putAgents(agents);
      setAgents(saved);
      setResult({ ok: true, message: `Agents saved (${saved.filter((a) => a.active).length} active).` });
    } catch (err) {
      const ae = err instanceof ApiError ? err : new ApiError('UNKNOWN', 'The agents could not be saved.');
      setErrors(ae.details);
      setResult({ ok: false, message: ae.message });
    } finally {
      setBusy(false);
    }
  };
  const remove = (i: number) => setAgents((as) => as.filter((_, j) => j !== i));
  return { agents, ownerToAdd, setOwnerToAdd, newPeriod, setNewPeriod, errors, busy, result, change, addAgent, addPeriod, save, remove };
}

type AgentsForm = ReturnType<typeof useAgentsForm>;

interface AgentTileProps {
  a: Agent;
  i: number;
  form: AgentsForm;
  numbers: WhatsAppNumber[];
  readOnly: boolean;
}

function OutOfOffice({ a, i, form, readOnly }: AgentTileProps) {
  const { errors, change } = form;
  const p = form.newPeriod[a.ownerId] ?? { from: '', to: '' };
  const setPeriod = (patch: Partial<NewPeriod>) => form.setNewPeriod((n) => ({ ...n, [a.ownerId]: { ...p, ...patch, error: undefined } }));
  return (
    <>
      <Text format={{ fontWeight: 'demibold' }}>Out of office</Text>
      {a.outOfOffice.length === 0 ? <Text variant="microcopy">No periods.</Text> : null}
      {a.outOfOffice.map((o, j) => (
        <Flex key={`${o.from}-${o.to}-${j}`} gap="xs" align="center">
          <Tag testId={`ooo-${a.ownerId}-${j}`}>
            {o.from} → {o.to}
          </Tag>
          {errors[`agents.${i}.outOfOffice.${j}.to`] || errors[`agents.${i}.outOfOffice.${j}.from`] ? (
            <Text variant="microcopy">{errors[`agents.${i}.outOfOffice.${j}.from`] ?? errors[`agents.${i}.outOfOffice.${j}.to`]}</Text>
          ) : null}
          <Button
            size="xs"
            variant="transparent"
            testId={`remove-ooo-${a.ownerId}-${j}`}
            disabled={readOnly}
            onClick={() => change(i, { outOfOffice: a.outOfOffice.filter((_, k) => k !== j) })}
          >
            Remove
          </Button>
        </Flex>
      ))}
      <Flex gap="xs" align="end">
        <Input
          testId={`ooo-from-${a.ownerId}`}
          label="From"
          name={`ooo-from-${a.ownerId}`}
          placeholder="YYYY-MM-DD"
          value={p.from}
          readOnly={readOnly}
          onChange={(v) => setPeriod({ from: v })}
          {...fieldError(p.error)}
        />
        <Input
          testId={`ooo-to-${a.ownerId}`}
          label="To"
          name={`ooo-to-${a.ownerId}`}
          placeholder="YYYY-MM-DD"
          value={p.to}
          readOnly={readOnly}
          onChange={(v) => setPeriod({ to: v })}
        />
        <Button testId={`add-ooo-${a.ownerId}`} size="sm" disabled={readOnly} onClick={() => form.addPeriod(i, a.ownerId)}>
          Add period
        </Button>
      </Flex>
    </>
  );
}

function AgentTile(props: AgentTileProps) {
  const { a, i, form, numbers, readOnly } = props;
  const { errors, change } = form;
  return (
    <Tile compact testId={`agent-${a.ownerId}`}>
      <Flex direction="column" gap="xs">
        <Flex justify="between" align="center">
          <Text format={{ fontWeight: 'demibold' }}>
            {a.name} · {a.email}
          </Text>
          <Button testId={`remove-agent-${a.ownerId}`} size="sm" variant="transparent" disabled={readOnly} onClick={() => form.remove(i)}>
            Remove
          </Button>
        </Flex>
        {errors[`agents.${i}.ownerId`] ? <Text>{errors[`agents.${i}.ownerId`]}</Text> : null}
        <Flex gap="md">
          <Toggle
            testId={`agent-active-${a.ownerId}`}
            label="Active (gets conversations)"
            checked={a.active}
            readOnly={readOnly}
            onChange={(v) => change(i, { active: v })}
          />
          <Toggle
            testId={`agent-available-${a.ownerId}`}
            label="Availability"
            textChecked="Available"
            textUnchecked="Away"
            checked={a.available}
            readOnly={readOnly}
            onChange={(v) => change(i, { available: v })}
          />
        </Flex>
        {numbers.length > 1 ? (
          <MultiSelect
            testId={`agent-numbers-${a.ownerId}`}
            label="Numbers (for per-number routing)"
            name={`agent-numbers-${a.ownerId}`}
            placeholder="Every number"
            readOnly={readOnly}
            value={a.numberIds ?? []}
            options={numbers.map((n) => ({ label: n.label, value: n.phoneNumberId }))}
            onChange={(v) => change(i, { numberIds: v.map(String) })}
            {...fieldError(errors[`agents.${i}.numberIds`])}
          />
        ) : null}
        <OutOfOffice {...props} />
      </Flex>
    </Tile>
  );
}

export function AgentsSection({ api, initialAgents, owners, numbers, readOnly }: AgentsSectionProps) {
  const form = useAgentsForm(api, initialAgents, owners);
  const { agents, ownerToAdd, busy, result } = form;
  const candidates = owners.filter((o) => !agents.some((a) => a.ownerId === o.ownerId));
  return (
    <Flex direction="column" gap="md" testId="agents-section">
      <Heading>Agents</Heading>
      <Text variant="microcopy">
        Agents are HubSpot users who answer WhatsApp. Only active, available agents who are not out of office get new
        conversations. Agents removed here are deactivated and their open conversations are reassigned.
      </Text>
      {agents.length === 0 ? <Text testId="no-agents">No agents yet. Add one from your HubSpot users below.</Text> : null}
      {agents.map((a, i) => (
        <AgentTile key={a.ownerId} a={a} i={i} form={form} numbers={numbers} readOnly={readOnly} />
      ))}
      <Flex gap="xs" align="end">
        <Select
          testId="owner-select"
          label="Add an agent from HubSpot users"
          name="owner"
          placeholder={candidates.length ? 'Choose a user' : 'Every user is already an agent'}
          readOnly={readOnly}
          value={ownerToAdd}
          options={candidates.map((o) => ({ label: `${o.name} (${o.email})`, value: o.ownerId }))}
          onChange={(v) => form.setOwnerToAdd(String(v))}
        />
        <Button testId="add-agent" disabled={readOnly || !ownerToAdd} onClick={() => form.addAgent()}>
          Add agent
        </Button>
      </Flex>
      <Flex>
        <Button testId="save-agents" variant="primary" disabled={busy || readOnly} onClick={() => void form.save()}>
          {busy ? 'Saving…' : 'Save agents'}
        </Button>
      </Flex>
      {result ? (
        <Alert testId="agents-result" variant={result.ok ? 'success' : 'error'} title={result.ok ? 'Saved' : 'Agents not saved'}>
          {result.message}
        </Alert>
      ) : null}
    </Flex>
  );
}

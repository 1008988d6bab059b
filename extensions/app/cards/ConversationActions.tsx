import { useEffect, useState } from 'react';
import { Alert, Button, Flex, LoadingSpinner, Select, Text, TextArea, Tile } from '@hubspot/ui-extensions';
import { ApiError, newIdempotencyKey, type CardApi } from './api';
import type { Agent, Conversation, Me, Message } from './types';

type Mode = null | 'assign' | 'transfer' | 'resolve';

export interface ConversationActionsProps {
  api: CardApi;
  conversation: Conversation;
  me: Me | null;
  resolutionLabels: string[];
  onUpdated: (conversation: Conversation, notice: string, customerMessage?: Message | null) => void;
}

function isOutOfOffice(a: Agent, today: string): boolean {
  return a.outOfOffice.some((p) => p.from <= today && today <= p.to);
}

export function agentOptionLabel(a: Agent, today: string): string {
  const tags: string[] = [];
  if (!a.available) tags.push('away');
  if (isOutOfOffice(a, today)) tags.push('out of office');
  return tags.length ? `${a.name} (${tags.join(', ')})` : a.name;
}

// The agents to pick from, loaded the first time an assign or transfer form opens.
function useAgentList(api: CardApi, mode: Mode, setError: (e: string) => void): Agent[] | null {
  const [agents, setAgents] = useState<Agent[] | null>(null);
  useEffect(() => {
    if ((mode === 'assign' || mode === 'transfer') && agents === null) {
      let live = true;
      api
        .listAgents()
        .then((as) => live && setAgents(as))
        .catch((e: unknown) => live && setError(e instanceof Error ? e.message : 'Could not load agents.'));
      return () => {
        live = false;
      };
    }
    return undefined;
  }, [mode, agents, api, setError]);
  return agents;
}

function useConversationActions({ api, conversation, me, onUpdated }: ConversationActionsProps) {
  const [mode, setMode] = useState<Mode>(null);
  const [agentId, setAgentId] = useState('');
  const [transferMessage, setTransferMessage] = useState('');
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const agents = useAgentList(api, mode, setError);

  const myAgentId = me?.agent?.agentId ?? null;
  const currentAgentId = conversation.assignee?.agentId ?? null;

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      setMode(null);
      setAgentId('');
      setTransferMessage('');
      setLabel('');
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Something went wrong. Try again.');
    } finally {
      setBusy(false);
    }
  };

  const assignToMe = () =>
    run(async () => {
      if (!myAgentId) throw new ApiError('VALIDATION', 'You are not set up as a WhatsApp agent.');
      const c = await api.assign(conversation.id, myAgentId, { idempotencyKey: newIdempotencyKey() });
      onUpdated(c, 'Assigned to you.');
    });

  const assignOther = () =>
    run(async () => {
      if (!agentId) throw new ApiError('VALIDATION', 'Choose an agent.');
      const c = await api.assign(conversation.id, agentId, { idempotencyKey: newIdempotencyKey() });
      onUpdated(c, `Assigned to ${c.assignee?.name ?? 'the agent'}.`);
    });

  const transfer = () =>
    run(async () => {
      if (!agentId) throw new ApiError('VALIDATION', 'Choose who to transfer to.');
      const r = await api.transfer(conversation.id, agentId, transferMessage, {
        idempotencyKey: newIdempotencyKey(),
      });
      const told = r.customerMessage
        ? ' The customer was told about the handover.'
        : ' The customer was not messaged (the reply window is closed).';
      onUpdated(r.conversation, `Transferred to ${r.conversation.assignee?.name ?? 'the agent'}.${told}`, r.customerMessage);
    });

  const resolve = () =>
    run(async () => {
      if (!label) throw new ApiError('VALIDATION', 'Choose a resolution label.');
      const c = await api.resolve(conversation.id, label, { idempotencyKey: newIdempotencyKey() });
      onUpdated(c, `Resolved as “${c.label ?? label}”.`);
    });

  const toggle = (m: Mode) => {
    setError(null);
    setAgentId('');
    setMode(mode === m ? null : m);
  };

  return {
    ...{ mode, agents, agentId, setAgentId, transferMessage, setTransferMessage, label, setLabel, busy, error },
    ...{ myAgentId, currentAgentId, toggle, assignToMe, assignOther, transfer, resolve },
  };
}

type ActionsState = ReturnType<typeof useConversationActions>;

function AgentForm({ s }: { s: ActionsState }) {
  const { mode, agents, agentId, error, busy } = s;
  const today = new Date().toISOString().slice(0, 10);
  const agentOptions = (agents ?? [])
    .filter((a) => a.active && a.agentId && a.agentId !== s.currentAgentId)
    .map((a) => ({ label: agentOptionLabel(a, today), value: a.agentId as string }));
  return (
    <Tile compact testId={`${mode}-form`}>
      <Flex direction="column" gap="xs">
        {agents === null && !error ? <LoadingSpinner label="Loading agents" size="xs" /> : null}
        {agents !== null && agentOptions.length === 0 ? <Text>No other active agents.</Text> : null}
        {agentOptions.length > 0 ? (
          <Select
            testId="agent-select"
            label={mode === 'assign' ? 'Assign to' : 'Transfer to'}
            name="agentId"
            required
            value={agentId}
            options={agentOptions}
            onChange={(v) => s.setAgentId(String(v))}
          />
        ) : null}
        {mode === 'transfer' ? (
          <TextArea
            testId="transfer-message"
            label="Message to the customer (optional)"
            name="transferMessage"
            description="Leave empty to send the default handover message with the expected wait."
            value={s.transferMessage}
            onChange={(v) => s.setTransferMessage(v)}
            onInput={(v) => s.setTransferMessage(v)}
          />
        ) : null}
        <Button
          testId={mode === 'assign' ? 'confirm-assign' : 'confirm-transfer'}
          variant="primary"
          size="sm"
          disabled={busy || !agentId}
          onClick={() => void (mode === 'assign' ? s.assignOther() : s.transfer())}
        >
          {mode === 'assign' ? 'Assign' : 'Transfer'}
        </Button>
      </Flex>
    </Tile>
  );
}

function ResolveForm({ s, resolutionLabels }: { s: ActionsState; resolutionLabels: string[] }) {
  return (
    <Tile compact testId="resolve-form">
      <Flex direction="column" gap="xs">
        {resolutionLabels.length === 0 ? (
          <Text>No resolution labels are configured. Ask an admin to add them in the app settings.</Text>
        ) : (
          <Select
            testId="resolution-label"
            label="Resolution label"
            name="label"
            required
            value={s.label}
            options={resolutionLabels.map((l) => ({ label: l, value: l }))}
            onChange={(v) => s.setLabel(String(v))}
          />
        )}
        <Button testId="confirm-resolve" variant="primary" size="sm" disabled={s.busy || !s.label} onClick={() => void s.resolve()}>
          Resolve
        </Button>
      </Flex>
    </Tile>
  );
}

export function ConversationActions(props: ConversationActionsProps) {
  const { me, resolutionLabels } = props;
  const s = useConversationActions(props);
  const { mode, myAgentId, busy, error } = s;
  return (
    <Flex direction="column" gap="xs" testId="conversation-actions">
      <Flex gap="xs" wrap>
        <Button
          testId="assign-to-me"
          size="sm"
          disabled={busy || !myAgentId || myAgentId === s.currentAgentId}
          onClick={() => void s.assignToMe()}
        >
          Assign to me
        </Button>
        <Button testId="assign-other" size="sm" variant="secondary" onClick={() => s.toggle('assign')}>
          Assign to another agent
        </Button>
        <Button testId="transfer" size="sm" variant="secondary" onClick={() => s.toggle('transfer')}>
          Transfer
        </Button>
        <Button testId="resolve" size="sm" variant="secondary" onClick={() => s.toggle('resolve')}>
          Resolve
        </Button>
      </Flex>
      {me && !myAgentId ? (
        <Text testId="not-an-agent" variant="microcopy">
          You are not set up as a WhatsApp agent, so you can&apos;t assign conversations to yourself. An admin can add you in
          the app settings.
        </Text>
      ) : null}
      {(mode === 'assign' || mode === 'transfer') && <AgentForm s={s} />}
      {mode === 'resolve' && <ResolveForm s={s} resolutionLabels={resolutionLabels} />}
      {error ? (
        <Alert testId="actions-error" variant="error" title="Action failed">
          {error}
        </Alert>
      ) : null}
    </Flex>
  );
}

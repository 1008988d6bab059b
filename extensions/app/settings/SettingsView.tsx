import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Button, ErrorState, Flex, LoadingSpinner, Tab, Tabs, Text } from '@hubspot/ui-extensions';
import { AgentsSection } from './AgentsSection';
import { AutomationSection } from './AutomationSection';
import { BotFlowSection } from './BotFlowSection';
import { ApiError, createSettingsApi, type ApiContext, type SettingsApi } from './api';
import { BusinessHoursSection } from './BusinessHoursSection';
import { ConsentSection } from './ConsentSection';
import { ConversationsSection } from './ConversationsSection';
import { KeywordsSection } from './KeywordsSection';
import { NumbersSection } from './NumbersSection';
import { QuickRepliesSection } from './QuickRepliesSection';
import { RoutingSection } from './RoutingSection';
import type { Agent, Me, Owner, Settings, WhatsAppNumber } from './types';
import { validateSettings, type Errors } from './validate';

export interface SettingsContextLike extends ApiContext {
  portal: { id: number; timezone?: string };
}

export interface SettingsViewProps {
  context: SettingsContextLike;
  api?: SettingsApi;
}

interface Loaded {
  settings: Settings;
  numbers: WhatsAppNumber[];
  agents: Agent[];
  owners: Owner[];
  me: Me | null;
}

const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

// Everything the page shows, loaded together; `load` is the retry after a failed first load.
function useSettingsLoad(api: SettingsApi) {
  const [phase, setPhase] = useState<'loading' | 'error' | 'ready'>('loading');
  const [loadError, setLoadError] = useState<string | null>(null);
  const [data, setData] = useState<Loaded | null>(null);
  const [draft, setDraft] = useState<Settings | null>(null);
  const [revision, setRevision] = useState(0);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  // The first load starts in 'loading' already; `load` (retry) resets it first. State is set in
  // the promise's callbacks, never synchronously inside the effect.
  const fetchAll = useCallback(
    () =>
      Promise.all([api.getSettings(), api.listNumbers(), api.listAgents(), api.listOwners(), api.getMe().catch(() => null)]).then(
        ([settings, numbers, agents, owners, me]) => {
          if (!mounted.current) return;
          setData({ settings, numbers, agents, owners, me });
          setDraft(clone(settings));
          setRevision((r) => r + 1);
          setPhase('ready');
        },
        (e: unknown) => {
          if (!mounted.current) return;
          setLoadError(e instanceof ApiError ? e.message : 'Something went wrong.');
          setPhase('error');
        },
      ),
    [api],
  );
  const load = useCallback(() => {
    setPhase('loading');
    setLoadError(null);
    return fetchAll();
  }, [fetchAll]);

  useEffect(() => {
    void fetchAll();
  }, [fetchAll]);
  return { phase, loadError, data, setData, draft, setDraft, revision, setRevision, mounted, load };
}

type SettingsLoad = ReturnType<typeof useSettingsLoad>;
type SaveResult = { ok: boolean; title: string; message: string } | null;

// The draft's edits, its checks, and saving or discarding it.
function useSettingsEdit(api: SettingsApi, { data, setData, draft, setDraft, setRevision, mounted }: SettingsLoad) {
  const [serverErrors, setServerErrors] = useState<Errors>({});
  const [saving, setSaving] = useState(false);
  const [result, setResult] = useState<SaveResult>(null);
  const clientErrors = useMemo(() => (draft ? validateSettings(draft) : {}), [draft]);
  const errors: Errors = { ...serverErrors, ...clientErrors };
  const err = (path: string) => errors[path];

  const update = (change: (d: Settings) => void) => {
    setDraft((d) => {
      if (!d) return d;
      const next = clone(d);
      change(next);
      return next;
    });
    setServerErrors({});
    setResult(null);
  };

  const save = async () => {
    if (!data || !draft) return;
    setResult(null);
    const count = Object.keys(clientErrors).length;
    if (count) {
      setResult({ ok: false, title: 'Settings not saved', message: `Fix the ${count} highlighted field${count === 1 ? '' : 's'} before saving.` });
      return;
    }
    setSaving(true);
    try {
      const saved = await api.putSettings(draft);
      if (!mounted.current) return;
      const bumped = saved.consent.version !== data.settings.consent.version;
      setData({ ...data, settings: saved });
      setDraft(clone(saved));
      setServerErrors({});
      setRevision((r) => r + 1);
      setResult({ ok: true, title: 'Settings saved', message: bumped ? `Consent text is now version ${saved.consent.version}.` : 'Your changes are live.' });
    } catch (e) {
      const ae = e instanceof ApiError ? e : new ApiError('UNKNOWN', 'The settings could not be saved.');
      setServerErrors(ae.details);
      setResult({ ok: false, title: 'Settings not saved', message: ae.message });
    } finally {
      if (mounted.current) setSaving(false);
    }
  };

  const discard = () => {
    if (data) setDraft(clone(data.settings));
    setServerErrors({});
    setResult(null);
    setRevision((r) => r + 1);
  };
  return { serverErrors, saving, result, err, update, save, discard };
}

interface SettingsTabsProps {
  api: SettingsApi;
  data: Loaded;
  setData: SettingsLoad['setData'];
  readOnly: boolean;
  revision: number;
  portalTimeZone: string | undefined;
  sectionProps: { draft: Settings; update: (change: (d: Settings) => void) => void; err: (path: string) => string | undefined };
}

function SettingsTabs({ api, data, setData, readOnly, revision, portalTimeZone, sectionProps }: SettingsTabsProps) {
  return (
    <Tabs defaultSelected="numbers">
      <Tab tabId="numbers" title="Numbers">
        <NumbersSection
          api={api}
          numbers={data.numbers}
          readOnly={readOnly}
          onConnected={(n) =>
            setData((d) => (d ? { ...d, numbers: [...d.numbers.filter((x) => x.phoneNumberId !== n.phoneNumberId), n] } : d))
          }
        />
      </Tab>
      <Tab tabId="agents" title="Agents">
        <AgentsSection api={api} initialAgents={data.agents} owners={data.owners} numbers={data.numbers} readOnly={readOnly} />
      </Tab>
      <Tab tabId="routing" title="Routing">
        <RoutingSection {...sectionProps} numbers={data.numbers} />
      </Tab>
      <Tab tabId="consent" title="Consent">
        <ConsentSection {...sectionProps} savedText={data.settings.consent.text} />
      </Tab>
      <Tab tabId="hours" title="Business hours">
        <BusinessHoursSection {...sectionProps} portalTimeZone={portalTimeZone} />
      </Tab>
      <Tab tabId="conversations" title="Labels and closing">
        <ConversationsSection {...sectionProps} />
      </Tab>
      <Tab tabId="quick-replies" title="Quick replies">
        <QuickRepliesSection {...sectionProps} numbers={data.numbers} />
      </Tab>
      <Tab tabId="keywords" title="Keywords">
        <KeywordsSection key={revision} {...sectionProps} />
      </Tab>
      {/* issue 15: reminders, out-of-hours notice, bot flow */}
      <Tab tabId="automation" title="Reminders">
        <AutomationSection {...sectionProps} />
      </Tab>
      <Tab tabId="bot-flow" title="Bot flow">
        <BotFlowSection {...sectionProps} agents={data.agents} numbers={data.numbers} />
      </Tab>
    </Tabs>
  );
}

function SaveResultAlert({ result, serverErrors }: { result: SaveResult; serverErrors: Errors }) {
  if (!result) return null;
  return (
    <Alert testId="settings-result" variant={result.ok ? 'success' : 'error'} title={result.title}>
      {result.message}
      {!result.ok && Object.keys(serverErrors).length > 0 ? (
        <Text testId="settings-result-details" variant="microcopy">
          {Object.entries(serverErrors)
            .map(([k, v]) => `${k}: ${v}`)
            .join(' · ')}
        </Text>
      ) : null}
    </Alert>
  );
}

export function SettingsView({ context, api: apiProp }: SettingsViewProps) {
  const baseUrl = context.variables?.apiBaseUrl;
  const api = useMemo(
    () =>
      apiProp ??
      createSettingsApi({ portal: { id: context.portal.id }, user: { id: context.user.id }, variables: { apiBaseUrl: baseUrl } }),
    [apiProp, context.portal.id, context.user.id, baseUrl],
  );
  const loaded = useSettingsLoad(api);
  const edit = useSettingsEdit(api, loaded);
  const { phase, loadError, data, draft } = loaded;

  if (phase === 'loading') {
    return <LoadingSpinner testId="settings-loading" label="Loading WhatsApp settings…" showLabel layout="centered" />;
  }
  if (phase === 'error' || !data || !draft) {
    return (
      <ErrorState testId="settings-error" title="Couldn't load the WhatsApp settings">
        <Text>{loadError ?? 'Something went wrong.'}</Text>
        <Button testId="settings-retry" onClick={() => void loaded.load()}>
          Try again
        </Button>
      </ErrorState>
    );
  }

  const readOnly = data.me?.isAdmin === false;
  const dirty = JSON.stringify(draft) !== JSON.stringify(data.settings);
  const sectionProps = { draft, update: edit.update, err: edit.err };
  return (
    <Flex direction="column" gap="md" testId="settings-page">
      {readOnly ? (
        <Alert testId="read-only" variant="warning" title="View only">
          Only HubSpot admins (with App Marketplace access) can change these settings.
        </Alert>
      ) : null}
      <SettingsTabs {...{ api, data, readOnly, sectionProps }} setData={loaded.setData} revision={loaded.revision} portalTimeZone={context.portal.timezone} />
      <Flex gap="sm" align="center">
        <Button testId="save-settings" variant="primary" disabled={edit.saving || readOnly} onClick={() => void edit.save()}>
          {edit.saving ? 'Saving…' : 'Save settings'}
        </Button>
        <Button testId="discard-settings" variant="secondary" disabled={edit.saving || !dirty} onClick={() => edit.discard()}>
          Discard changes
        </Button>
        <Text variant="microcopy">{dirty ? 'Unsaved changes. ' : ''}Numbers and agents are saved with their own buttons.</Text>
      </Flex>
      <SaveResultAlert result={edit.result} serverErrors={edit.serverErrors} />
    </Flex>
  );
}

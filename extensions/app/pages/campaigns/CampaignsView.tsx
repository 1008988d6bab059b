import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Flex,
  Heading,
  Input,
  LoadingSpinner,
  ProgressBar,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Tag,
  Text,
  TextArea,
  Toggle,
} from '@hubspot/ui-extensions';
import { CampaignApiError, type Campaign, type CampaignsApi, type NewCampaign } from './types';

export interface CampaignsViewProps {
  api: CampaignsApi;
  phoneNumberId: string;
  /** Refresh interval while a campaign runs (ms). */
  pollMs?: number;
}

const done = (c: Campaign) => c.counts.total - c.counts.pending;

/** Campaign list with live progress and pause/resume/cancel, and the new-campaign form (F22). */
export function CampaignsView({ api, phoneNumberId, pollMs = 3000 }: CampaignsViewProps) {
  const [campaigns, setCampaigns] = useState<Campaign[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => api.list().then(setCampaigns, (e: Error) => setError(e.message)), [api]);
  useEffect(() => {
    void load();
  }, [load]);
  const running = campaigns?.some((c) => c.status === 'running') ?? false;
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => void load(), pollMs);
    return () => clearInterval(t);
  }, [running, load, pollMs]);

  const act = async (id: number, action: 'pause' | 'resume' | 'cancel') => {
    try {
      const c = await api.action(id, action);
      setCampaigns((list) => (list ?? []).map((x) => (x.id === id ? c : x)));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!campaigns && !error) return <LoadingSpinner label="Loading campaigns" />;
  return (
    <Flex direction="column" gap="md" testId="campaigns-view">
      {error && <Alert title="Campaigns" variant="error">{error}</Alert>}
      <NewCampaignForm api={api} phoneNumberId={phoneNumberId} onCreated={(c) => setCampaigns((l) => [c, ...(l ?? [])])} />
      <Heading>Campaigns</Heading>
      {campaigns && campaigns.length === 0 && <Text>No campaigns yet.</Text>}
      {campaigns && campaigns.length > 0 && (
        <Table>
          <TableHead>
            <TableRow>
              <TableHeader>Name</TableHeader>
              <TableHeader>Status</TableHeader>
              <TableHeader>Progress</TableHeader>
              <TableHeader>Results</TableHeader>
              <TableHeader>Actions</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {campaigns.map((c) => (
              <TableRow key={c.id}>
                <TableCell>{c.name}</TableCell>
                <TableCell>
                  <Tag testId={`status-${c.id}`}>{c.status}</Tag>
                </TableCell>
                <TableCell>
                  <ProgressBar value={done(c)} maxValue={Math.max(1, c.counts.total)} showPercentage valueDescription={`${done(c)} of ${c.counts.total}`} />
                </TableCell>
                <TableCell>
                  <Text testId={`counts-${c.id}`}>
                    {`${c.counts.sent} sent · ${c.counts.delivered} delivered · ${c.counts.read} read · ${c.counts.failed} failed · ${c.counts.skipped} skipped`}
                  </Text>
                </TableCell>
                <TableCell>
                  <Flex gap="xs">
                    {(c.status === 'running' || c.status === 'scheduled') && <Button testId={`pause-${c.id}`} onClick={() => void act(c.id, 'pause')}>Pause</Button>}
                    {c.status === 'paused' && <Button testId={`resume-${c.id}`} onClick={() => void act(c.id, 'resume')}>Resume</Button>}
                    {['running', 'scheduled', 'paused'].includes(c.status) && (
                      <Button testId={`cancel-${c.id}`} variant="destructive" onClick={() => void act(c.id, 'cancel')}>Cancel</Button>
                    )}
                  </Flex>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Flex>
  );
}

interface FormProps {
  api: CampaignsApi;
  phoneNumberId: string;
  onCreated: (c: Campaign) => void;
}

const EMPTY = { name: '', templateName: '', language: '', csv: '', scheduledAt: '' };

/** CSV (phone, then one column per placeholder): every row checked by the backend before anything is created. */
export function NewCampaignForm({ api, phoneNumberId, onCreated }: FormProps) {
  const [form, setForm] = useState(EMPTY);
  const [attested, setAttested] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<{ message: string; rows: string[] } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const set = (k: keyof typeof EMPTY) => (v: string) => setForm((f) => ({ ...f, [k]: v }));

  const submit = async () => {
    setBusy(true);
    setProblems(null);
    setNotice(null);
    const body: NewCampaign = { name: form.name, phoneNumberId, templateName: form.templateName, language: form.language, csv: form.csv, optInAttested: attested };
    if (form.scheduledAt) body.scheduledAt = form.scheduledAt;
    try {
      const r = await api.create(body);
      onCreated(r.campaign);
      setForm(EMPTY);
      setNotice([`Campaign "${r.campaign.name}" created (${r.campaign.counts.total} recipients, ${r.campaign.counts.skipped} skipped).`, ...r.warnings.map((w) => w.message)].join(' '));
    } catch (e) {
      const details = e instanceof CampaignApiError ? e.details : {};
      setProblems({ message: (e as Error).message, rows: Object.entries(details).map(([k, v]) => `${k}: ${v}`) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Flex direction="column" gap="sm" testId="new-campaign">
      <Heading>New campaign</Heading>
      <Input name="name" label="Name" value={form.name} onChange={set('name')} />
      <Input name="templateName" label="Template" value={form.templateName} onChange={set('templateName')} />
      <Input name="language" label="Language" value={form.language} onChange={set('language')} />
      <TextArea name="csv" label="Recipients (CSV: phone, then one column per placeholder)" value={form.csv} onChange={set('csv')} />
      <Input name="scheduledAt" label="Send at (optional, at least 5 minutes ahead)" value={form.scheduledAt} onChange={set('scheduledAt')} />
      <Toggle name="optInAttested" label="I attest these recipients opted in to WhatsApp messages" checked={attested} onChange={setAttested} />
      {problems && (
        <Alert title="Nothing was created" variant="error">
          <Text testId="campaign-problems">{[problems.message, ...problems.rows].join(' | ')}</Text>
        </Alert>
      )}
      {notice && <Alert title="Campaign created" variant="success">{notice}</Alert>}
      <Button testId="create-campaign" variant="primary" disabled={busy || !form.name || !form.templateName || !form.csv} onClick={() => void submit()}>
        Create campaign
      </Button>
    </Flex>
  );
}

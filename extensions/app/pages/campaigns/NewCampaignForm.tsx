import { useState } from 'react';
import { Alert, Button, Flex, Heading, Input, Text, Toggle } from '@hubspot/ui-extensions';
import { AudiencePicker, type AudienceChoice } from './AudiencePicker';
import { CampaignApiError, type Campaign, type CampaignsApi, type NewCampaign, type OpenIframeModal } from './types';

interface FormProps {
  api: CampaignsApi;
  phoneNumberId: string;
  onCreated: (c: Campaign) => void;
  openIframeModal?: OpenIframeModal;
  audiencePollMs?: number;
}

const EMPTY = { name: '', templateName: '', language: '', scheduledAt: '' };

/** A template, its recipients (upload, HubSpot list or pasted rows: every row checked by the backend), when, and the attestation. */
export function NewCampaignForm({ api, phoneNumberId, onCreated, openIframeModal, audiencePollMs }: FormProps) {
  const [form, setForm] = useState(EMPTY);
  const [choice, setChoice] = useState<AudienceChoice>({ kind: 'audience', audience: null });
  const [round, setRound] = useState(0);
  const [attested, setAttested] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<{ message: string; rows: string[] } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const set = (k: keyof typeof EMPTY) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const target = form.templateName && form.language ? { phoneNumberId, templateName: form.templateName, language: form.language } : null;
  const hasRecipients = choice.kind === 'paste' ? choice.csv.trim() !== '' : choice.audience !== null;

  const submit = async () => {
    setBusy(true);
    setProblems(null);
    setNotice(null);
    const body: NewCampaign = { name: form.name, phoneNumberId, templateName: form.templateName, language: form.language, optInAttested: attested };
    if (choice.kind === 'paste') body.csv = choice.csv;
    else if (choice.audience) body.audienceId = choice.audience.id;
    if (form.scheduledAt) body.scheduledAt = form.scheduledAt;
    try {
      const r = await api.create(body);
      onCreated(r.campaign);
      setForm(EMPTY);
      setChoice({ kind: 'audience', audience: null });
      setRound((n) => n + 1); // a fresh picker: an audience is used once
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
      <AudiencePicker key={round} api={api} target={target} openIframeModal={openIframeModal} onChange={setChoice} pollMs={audiencePollMs} />
      <Input name="scheduledAt" label="Send at (optional, at least 5 minutes ahead)" value={form.scheduledAt} onChange={set('scheduledAt')} />
      <Toggle name="optInAttested" label="I attest these recipients opted in to WhatsApp messages" checked={attested} onChange={setAttested} />
      {problems && (
        <Alert title="Nothing was created" variant="error">
          <Text testId="campaign-problems">{[problems.message, ...problems.rows].join(' | ')}</Text>
        </Alert>
      )}
      {notice && <Alert title="Campaign created" variant="success">{notice}</Alert>}
      <Button testId="create-campaign" variant="primary" disabled={busy || !form.name || !form.templateName || !hasRecipients} onClick={() => void submit()}>
        Create campaign
      </Button>
    </Flex>
  );
}

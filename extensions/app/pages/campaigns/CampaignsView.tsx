import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Flex,
  Heading,
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
} from '@hubspot/ui-extensions';
import { NewCampaignForm } from './NewCampaignForm';
import type { Campaign, CampaignsApi, OpenIframeModal } from './types';

export interface CampaignsViewProps {
  api: CampaignsApi;
  phoneNumberId: string;
  /** Refresh interval while a campaign runs (ms). */
  pollMs?: number;
  /** HubSpot's iframe modal (the page's actions), for the CSV upload page. */
  openIframeModal?: OpenIframeModal;
  /** How often a HubSpot list being read is looked at again (ms). */
  audiencePollMs?: number;
}

const done = (c: Campaign) => c.counts.total - c.counts.pending;

/** Campaign list with live progress and pause/resume/cancel, and the new-campaign form (F22). */
export function CampaignsView({ api, phoneNumberId, pollMs = 3000, openIframeModal, audiencePollMs }: CampaignsViewProps) {
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
      <NewCampaignForm api={api} phoneNumberId={phoneNumberId} openIframeModal={openIframeModal} audiencePollMs={audiencePollMs} onCreated={(c) => setCampaigns((l) => [c, ...(l ?? [])])} />
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

// The Campaigns section of the app pages: pick a connected number, then its campaigns.
import { useEffect, useMemo, useState } from 'react';
import { Alert, Flex, LoadingSpinner, Select } from '@hubspot/ui-extensions';
import { apiBaseUrl, useBackend } from '../backend';
import { hubspotCampaignsApi } from './api';
import { CampaignsView } from './CampaignsView';

interface NumberOption {
  phoneNumberId: string;
  label?: string;
  displayPhoneNumber?: string;
}

export function CampaignsSection() {
  const backend = useBackend();
  const api = useMemo(() => hubspotCampaignsApi(apiBaseUrl(backend.context)), [backend]);
  const [numbers, setNumbers] = useState<NumberOption[] | null>(null);
  const [picked, setPicked] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    backend.get<{ numbers: NumberOption[] }>('/whatsapp-numbers').then(
      (r) => setNumbers(r.numbers ?? []),
      (e: unknown) => setError(e instanceof Error ? e.message : 'Could not load the numbers.'),
    );
  }, [backend]);

  if (error) return <Alert testId="campaigns-numbers-error" variant="error" title="Couldn't load the numbers">{error}</Alert>;
  if (numbers === null) return <LoadingSpinner testId="campaigns-loading" label="Loading numbers…" showLabel />;
  if (!numbers.length) return <Alert testId="campaigns-no-number" variant="warning" title="No WhatsApp number connected">Connect a number in the app settings first.</Alert>;
  const phoneNumberId = picked || numbers[0].phoneNumberId;
  return (
    <Flex direction="column" gap="md">
      <Select
        testId="campaigns-number"
        name="phoneNumberId"
        label="Number"
        value={phoneNumberId}
        options={numbers.map((n) => ({ label: n.displayPhoneNumber ? `${n.label ?? n.phoneNumberId} (${n.displayPhoneNumber})` : (n.label ?? n.phoneNumberId), value: n.phoneNumberId }))}
        onChange={(v) => setPicked(String(v))}
      />
      <CampaignsView key={phoneNumberId} api={api} phoneNumberId={phoneNumberId} openIframeModal={backend.actions?.openIframeModal} />
    </Flex>
  );
}

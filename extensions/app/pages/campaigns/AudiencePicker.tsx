// Who a campaign goes to: a CSV file uploaded through our iframe upload page (ui-extensions has no file
// input; the backend hands out a single-use link, as for the card's attachments), a HubSpot list read by
// the backend, or rows pasted in the form. The backend checks every row; this only shows what it says.
import { useEffect, useState } from 'react';
import { Alert, Button, Flex, Input, Select, Text, TextArea } from '@hubspot/ui-extensions';
import type { Audience, AudienceTarget, CampaignsApi, HubSpotListInfo, OpenIframeModal } from './types';

export type AudienceChoice = { kind: 'paste'; csv: string } | { kind: 'audience'; audience: Audience | null };
type Mode = 'upload' | 'list' | 'paste';

export interface AudiencePickerProps {
  api: CampaignsApi;
  /** The number and template the rows are checked against; null until the form names a template. */
  target: AudienceTarget | null;
  openIframeModal?: OpenIframeModal;
  onChange: (c: AudienceChoice) => void;
  pollMs?: number;
}

const SKIPS: Record<string, string> = { NO_PHONE: 'without a phone', INVALID_PHONE: 'with an invalid phone', INVALID_VALUES: 'with an empty or refused value' };

/** What an audience holds, in a sentence. */
export function describeAudience(a: Audience): string {
  if (a.status === 'loading') return `Reading the HubSpot list…${a.progress?.total ? ` ${a.progress.read} of ${a.progress.total} contacts` : ''}`;
  if (a.status === 'failed') return a.error?.message ?? 'The audience could not be prepared.';
  if (a.status === 'awaiting_upload') return 'No file was uploaded yet.';
  const from = a.source === 'csv' ? (a.filename ?? 'the file') : `list "${a.listName ?? ''}"`;
  const skipped = Object.entries(a.excluded ?? {}).map(([code, n]) => `${n} ${SKIPS[code] ?? code.toLowerCase()}`);
  return `${a.total} recipients ready from ${from}${skipped.length ? ` (${skipped.join(', ')} will be skipped)` : ''}.`;
}

// A list is read by the backend: look again (each answer is a new object) until it is done.
function useAudiencePoll(
  api: CampaignsApi,
  audience: Audience | null,
  setAudience: (a: Audience) => void,
  setError: (e: string) => void,
  onChange: AudiencePickerProps['onChange'],
  pollMs: number,
) {
  const loadingId = audience?.status === 'loading' ? audience.id : null;
  useEffect(() => {
    if (loadingId === null) return;
    const t = setTimeout(() => {
      api.audience(loadingId).then(
        (a) => {
          setAudience(a);
          onChange({ kind: 'audience', audience: a.status === 'ready' ? a : null });
        },
        (e: unknown) => setError(e instanceof Error ? e.message : 'The request failed.'),
      );
    }, pollMs);
    return () => clearTimeout(t);
  }, [api, loadingId, audience, pollMs, onChange, setAudience, setError]);
}

// The picker's state and calls; kept here (not in each mode's piece) so switching modes keeps what was typed.
function useAudiencePicker({ api, target, openIframeModal, onChange, pollMs = 2000 }: AudiencePickerProps) {
  const [mode, setMode] = useState<Mode>('upload');
  const [csv, setCsv] = useState('');
  const [audience, setAudience] = useState<Audience | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [lists, setLists] = useState<HubSpotListInfo[] | null>(null);
  const [listId, setListId] = useState('');
  const [values, setValues] = useState('');
  const show = (a: Audience | null) => {
    setAudience(a);
    onChange({ kind: 'audience', audience: a && a.status === 'ready' ? a : null });
  };
  const fail = (e: unknown) => setError(e instanceof Error ? e.message : 'The request failed.');

  useAudiencePoll(api, audience, setAudience, setError, onChange, pollMs);

  const pick = (m: Mode) => {
    setMode(m);
    setError(null);
    if (m === 'paste') {
      setAudience(null);
      onChange({ kind: 'paste', csv });
    } else show(null);
  };

  const upload = async () => {
    setError(null);
    if (!target) return;
    if (!openIframeModal) return setError('Uploading a file needs HubSpot’s iframe modal, which is not available here: paste the rows instead.');
    try {
      const r = await api.prepareCsv(target);
      show(r.audience);
      openIframeModal({ uri: r.upload.url, title: 'Upload the campaign recipients', width: 640, height: 560 }, () => void api.audience(r.audience.id).then(show, fail));
    } catch (e) {
      fail(e);
    }
  };

  const search = async () => {
    setError(null);
    try {
      const found = await api.searchLists(query);
      setLists(found);
      setListId(found[0]?.listId ?? '');
    } catch (e) {
      fail(e);
    }
  };

  const readList = async () => {
    setError(null);
    if (!target || !listId) return;
    const parameters = values.split(/\r?\n/).map((v) => v.trim()).filter((v) => v !== '');
    try {
      show(await api.prepareList({ ...target, listId, parameters }));
    } catch (e) {
      fail(e);
    }
  };
  return { mode, csv, setCsv, audience, error, query, setQuery, lists, listId, setListId, values, setValues, pick, upload, search, readList };
}

type PickerState = ReturnType<typeof useAudiencePicker>;

function ListChooser({ s, target }: { s: PickerState; target: AudienceTarget | null }) {
  const { query, setQuery, lists, listId, setListId, values, setValues, search, readList } = s;
  return (
    <Flex direction="column" gap="xs">
      <Input name="listQuery" label="Find a HubSpot list" value={query} onChange={setQuery} />
      <Button testId="search-lists" onClick={() => void search()}>
        Search lists
      </Button>
      {lists && lists.length === 0 && <Text testId="no-lists">No contact list matches.</Text>}
      {lists && lists.length > 0 && (
        <Select
          testId="list-picker"
          name="listId"
          label="List"
          value={listId}
          options={lists.map((l) => ({ label: l.size === null ? l.name : `${l.name} (${l.size} contacts)`, value: l.listId }))}
          onChange={(v) => setListId(String(v))}
        />
      )}
      <TextArea
        name="listValues"
        label="Values for the template's placeholders, one per line ({{firstname}} takes each contact's property)"
        value={values}
        onChange={setValues}
      />
      <Button testId="read-list" disabled={!target || !listId} onClick={() => void readList()}>
        Use this list
      </Button>
    </Flex>
  );
}

export function AudiencePicker(props: AudiencePickerProps) {
  const { target, onChange } = props;
  const s = useAudiencePicker(props);
  const { mode, csv, setCsv, audience, error, pick, upload } = s;
  return (
    <Flex direction="column" gap="sm" testId="audience-picker">
      <Select
        testId="audience-mode"
        name="audienceMode"
        label="Recipients"
        value={mode}
        options={[
          { label: 'Upload a CSV file', value: 'upload' },
          { label: 'A HubSpot list', value: 'list' },
          { label: 'Paste CSV rows', value: 'paste' },
        ]}
        onChange={(v) => pick(v as Mode)}
      />
      {mode === 'upload' && (
        <Flex direction="column" gap="xs">
          <Text variant="microcopy">Columns: phone, then one per placeholder of the template. The upload window offers a sample CSV for the template and checks every row.</Text>
          <Button testId="upload-csv" disabled={!target} onClick={() => void upload()}>
            Upload a CSV file…
          </Button>
        </Flex>
      )}
      {mode === 'list' && <ListChooser s={s} target={target} />}
      {mode === 'paste' && (
        <TextArea
          name="csv"
          label="Recipients (CSV: phone, then one column per placeholder)"
          value={csv}
          onChange={(v) => {
            setCsv(v);
            onChange({ kind: 'paste', csv: v });
          }}
        />
      )}
      {mode !== 'paste' && audience && (
        <Text testId="audience-status" format={{ fontWeight: audience.status === 'ready' ? 'bold' : 'regular' }}>
          {describeAudience(audience)}
        </Text>
      )}
      {error && (
        <Alert testId="audience-error" title="Recipients" variant="error">
          {error}
        </Alert>
      )}
    </Flex>
  );
}

import { useState } from 'react';
import { Alert, Button, Flex, Link, Text } from '@hubspot/ui-extensions';
import { ApiError, useBackend } from '../backend';

/** The backend hands out a single-use link (about 10 minutes); the user opens it to download the CSV. */
export function ExportLink({ query }: { query: { from: string; to: string; phoneNumberId?: string; agentId?: string } }) {
  const backend = useBackend();
  const [state, setState] = useState<{ busy: boolean; url?: string; expiresAt?: string; error?: string }>({ busy: false });
  const prepare = async () => {
    setState({ busy: true });
    try {
      const link = await backend.post<{ url: string; expiresAt: string }>('/reports/exports', { ...query, language: backend.language });
      setState({ busy: false, url: link.url, expiresAt: link.expiresAt });
    } catch (e) {
      setState({ busy: false, error: e instanceof ApiError ? e.message : 'The export could not be prepared.' });
    }
  };
  return (
    <Flex direction="row" gap="sm" align="center" wrap="wrap">
      <Button testId="export" onClick={prepare} disabled={state.busy}>
        {state.busy ? 'Preparing…' : 'Export CSV'}
      </Button>
      {state.url ? (
        <>
          <Link testId="export-link" href={state.url}>
            Download CSV
          </Link>
          <Text variant="microcopy">{`Works once, until ${state.expiresAt?.slice(11, 16)} UTC`}</Text>
        </>
      ) : null}
      {state.error ? (
        <Alert testId="export-error" title="Export failed" variant="error">
          {state.error}
        </Alert>
      ) : null}
    </Flex>
  );
}

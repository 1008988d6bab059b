import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Divider, ErrorState, Flex, Heading, LoadingSpinner, Select, Text } from '@hubspot/ui-extensions';
import { createTemplatesApi } from './api';
import { TemplateForm } from './TemplateForm';
import { TemplateList } from './TemplateList';
import { TemplatesApiError, type NumberView, type OpenIframeModal, type TemplatesApi, type TemplateView } from './types';

export interface TemplatesPageProps {
  /** Injected in tests; else built from the extension context. */
  api?: TemplatesApi;
  context?: { portal: { id: number }; user: { id: number }; variables?: Record<string, unknown> };
  readOnly?: boolean;
  /** HubSpot's actions: the iframe modal opens the upload page of a media header's example file. */
  actions?: { openIframeModal?: OpenIframeModal };
}

// The numbers, the chosen number's templates (reloaded after a change) and deleting one.
function useTemplatesData(api: TemplatesApi) {
  const [numbers, setNumbers] = useState<NumberView[] | null>(null);
  const [pn, setPn] = useState('');
  // The list remembers which number it belongs to; switching numbers shows loading until that number's list arrives.
  const [loaded, setLoaded] = useState<{ pn: string; templates: TemplateView[] } | null>(null);
  const templates = loaded && loaded.pn === pn ? loaded.templates : null;
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    api
      .listNumbers()
      .then((ns) => {
        setNumbers(ns);
        setPn(ns[0]?.phoneNumberId ?? '');
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : 'Could not load numbers.'));
  }, [api]);

  const reload = useCallback(
    () =>
      pn
        ? api.listTemplates(pn).then(
            (list) => setLoaded({ pn, templates: list }),
            (e: unknown) => setError(e instanceof Error ? e.message : 'Could not load templates.'),
          )
        : Promise.resolve(),
    [api, pn],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  const remove = async (name: string) => {
    try {
      await api.deleteTemplate(pn, name);
      setNotice(`Template ${name} was deleted at Meta. Its name cannot be used again.`);
      await reload();
    } catch (e) {
      setNotice(e instanceof TemplatesApiError ? e.message : 'The template could not be deleted.');
    }
  };
  return { numbers, pn, setPn, templates, error, setError, notice, setNotice, reload, remove };
}

/** The Templates page (F5): every template of a number with its review status, create, delete. */
export function TemplatesPage({ api: injected, context, readOnly, actions }: TemplatesPageProps) {
  const [api] = useState<TemplatesApi>(
    () =>
      injected ??
      createTemplatesApi({
        baseUrl: String(context?.variables?.apiBaseUrl ?? 'https://api.whatsapp-hubspot.example.com'),
        portalId: context?.portal.id ?? 0,
        userId: context?.user.id ?? 0,
      }),
  );
  const { numbers, pn, setPn, templates, error, setError, notice, setNotice, reload, remove } = useTemplatesData(api);

  if (error) {
    return (
      <ErrorState testId="templates-error" title="Couldn't load the templates">
        <Text>{error}</Text>
        <Button testId="templates-retry" onClick={() => (setError(null), void reload())}>
          Try again
        </Button>
      </ErrorState>
    );
  }
  if (numbers === null) return <LoadingSpinner testId="templates-loading" label="Loading templates…" showLabel />;
  if (!numbers.length) return <Alert testId="templates-no-number" variant="warning" title="No WhatsApp number connected">Connect a number in the app settings first.</Alert>;
  return (
    <Flex direction="column" gap="md" testId="templates-page">
      <Heading>WhatsApp templates</Heading>
      <Select testId="templates-number" name="phoneNumberId" label="Number" value={pn} options={numbers.map((n) => ({ label: n.displayPhoneNumber ? `${n.label} (${n.displayPhoneNumber})` : n.label, value: n.phoneNumberId }))} onChange={(v) => setPn(String(v))} />
      <Text variant="microcopy">Meta reviews every new template; it usually takes minutes and at most 24–48 hours. Rejected templates show Meta&apos;s reason.</Text>
      {notice ? (
        <Alert testId="templates-notice" variant="info" title="Templates">
          {notice}
        </Alert>
      ) : null}
      {templates === null ? <LoadingSpinner label="Loading templates…" /> : <TemplateList templates={templates} readOnly={readOnly} onDelete={remove} />}
      {readOnly ? null : (
        <>
          <Divider />
          <TemplateForm
            phoneNumberId={pn}
            onSubmit={(input) => api.createTemplate(input)}
            samples={api}
            openIframeModal={actions?.openIframeModal}
            onCreated={(t) => {
              setNotice(`Template ${t.name} (${t.language}) was sent to Meta for review.`);
              void reload();
            }}
          />
        </>
      )}
    </Flex>
  );
}

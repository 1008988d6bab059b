import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Flex, Heading, Input, LoadingSpinner, Select, Text, Tile } from '@hubspot/ui-extensions';
import { ApiError, newIdempotencyKey, type CardApi } from './api';
import { checkTemplateParam, isMediaHeader, placeholderLabel } from './format';
import { TemplatePreview } from './TemplatePreview';
import type { Conversation, Message, Template, WhatsAppNumber } from './types';

export interface TemplateSenderProps {
  api: CardApi;
  contactId: number | string;
  defaultPhoneNumberId?: string | null;
  onSent: (message: Message, conversation?: Conversation) => void;
  onCancel: () => void;
}

export function numberLabel(n: WhatsAppNumber): string {
  return n.displayPhoneNumber ? `${n.label} (${n.displayPhoneNumber})` : n.label;
}

// Where the sender's choices come from: the portal's numbers, then the chosen number's templates.
function useSenderSources(api: CardApi, defaultPhoneNumberId: string | null | undefined) {
  const [numbers, setNumbers] = useState<WhatsAppNumber[] | null>(null);
  const [phoneNumberId, setPhoneNumberId] = useState<string>('');
  // Templates are kept with the number they belong to: switching numbers shows "loading" until its own arrive.
  const [loadedTemplates, setLoadedTemplates] = useState<{ phoneNumberId: string; list: Template[] } | null>(null);
  const [templateName, setTemplateName] = useState('');
  const [language, setLanguage] = useState('');
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api
      .listNumbers()
      .then((ns) => {
        if (!live) return;
        setNumbers(ns);
        const initial = ns.find((n) => n.phoneNumberId === defaultPhoneNumberId) ?? ns[0];
        setPhoneNumberId(initial?.phoneNumberId ?? '');
      })
      .catch((e: unknown) => live && setLoadError(e instanceof Error ? e.message : 'Could not load numbers.'));
    return () => {
      live = false;
    };
  }, [api, defaultPhoneNumberId]);

  useEffect(() => {
    if (!phoneNumberId) return;
    let live = true;
    api
      .listTemplates(phoneNumberId)
      .then((ts) => {
        if (!live) return;
        setLoadedTemplates({ phoneNumberId, list: ts });
        const first = ts.find((t) => !isMediaHeader(t));
        setTemplateName(first?.name ?? '');
        setLanguage(first?.language ?? '');
      })
      .catch((e: unknown) => live && setLoadError(e instanceof Error ? e.message : 'Could not load templates.'));
    return () => {
      live = false;
    };
  }, [api, phoneNumberId]);

  const templates = loadedTemplates && loadedTemplates.phoneNumberId === phoneNumberId ? loadedTemplates.list : null;
  const usable = useMemo(() => (templates ?? []).filter((t) => !isMediaHeader(t)), [templates]);
  const template = usable.find((t) => t.name === templateName && t.language === language) ?? null;
  return { numbers, phoneNumberId, setPhoneNumberId, templates, usable, templateName, setTemplateName, language, setLanguage, template, loadError };
}

type SenderSources = ReturnType<typeof useSenderSources>;

// The placeholder values typed in, their checks, and the send itself.
function useTemplateForm(api: CardApi, contactId: number | string, src: SenderSources, onSent: TemplateSenderProps['onSent']) {
  const { phoneNumberId, template } = src;
  const [valuesByTemplate, setValuesByTemplate] = useState<Record<string, string[]>>({});
  const [attempted, setAttempted] = useState(false);
  const [sendError, setSendError] = useState<string | null>(null);
  const [serverFieldErrors, setServerFieldErrors] = useState<Record<string, string>>({});
  const [sending, setSending] = useState(false);
  const [key, setKey] = useState(() => newIdempotencyKey());
  const placeholders = template?.placeholders ?? [];

  // Values are kept per number+template+language, so switching never mixes placeholders.
  const tkey = template ? `${phoneNumberId}|${template.name}|${template.language}` : '';
  const values = valuesByTemplate[tkey] ?? placeholders.map(() => '');
  const setValue = (i: number, v: string) => {
    setServerFieldErrors({});
    setValuesByTemplate((prev) => {
      const cur = prev[tkey] ?? placeholders.map(() => '');
      return { ...prev, [tkey]: cur.map((x, j) => (j === i ? v : x)) };
    });
  };
  const resetAttempt = () => {
    setAttempted(false);
    setServerFieldErrors({});
    setSendError(null);
    setKey(newIdempotencyKey());
  };

  const fieldError = (i: number): string | undefined => {
    if (serverFieldErrors[`parameters.${i}`]) return serverFieldErrors[`parameters.${i}`];
    const v = values[i] ?? '';
    const err = checkTemplateParam(v);
    if (!err) return undefined;
    if (err === 'Required' && !attempted) return undefined;
    return err;
  };
  const filled = placeholders.filter((_, i) => checkTemplateParam(values[i] ?? '') === null).length;
  const countOk = template !== null && values.length === placeholders.length && filled === placeholders.length;

  const send = async () => {
    setAttempted(true);
    setSendError(null);
    if (!template) {
      setSendError('Choose a template first.');
      return;
    }
    if (!countOk) {
      setSendError(
        `This template needs ${placeholders.length} value${placeholders.length === 1 ? '' : 's'}; ${filled} ${filled === 1 ? 'is' : 'are'} filled in correctly.`,
      );
      return;
    }
    setSending(true);
    try {
      const r = await api.sendTemplate(
        contactId,
        { phoneNumberId, templateName: template.name, language: template.language, parameters: values },
        { idempotencyKey: key },
      );
      onSent(r.message, r.conversation);
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError('UNKNOWN', 'The template could not be sent.');
      setServerFieldErrors(err.details);
      setSendError(err.message);
      if (err.code !== 'NETWORK') setKey(newIdempotencyKey());
    } finally {
      setSending(false);
    }
  };
  return { placeholders, values, setValue, resetAttempt, fieldError, filled, countOk, send, sendError, sending };
}

type TemplateForm = ReturnType<typeof useTemplateForm>;

function NumberPicker({ src, form }: { src: SenderSources; form: TemplateForm }) {
  const { numbers, phoneNumberId, loadError } = src;
  return (
    <>
      {loadError ? (
        <Alert variant="error" title="Couldn't load templates">
          {loadError}
        </Alert>
      ) : null}
      {numbers === null && !loadError ? <LoadingSpinner label="Loading WhatsApp numbers" /> : null}
      {numbers !== null && numbers.length === 0 ? (
        <Alert testId="no-numbers" variant="warning" title="No WhatsApp number connected">
          Ask an admin to connect a number in the app settings.
        </Alert>
      ) : null}
      {numbers !== null && numbers.length > 0 ? (
        <Select
          testId="template-number"
          label="Send from"
          name="phoneNumberId"
          required
          value={phoneNumberId}
          options={numbers.map((n) => ({ label: numberLabel(n), value: n.phoneNumberId }))}
          onChange={(v) => {
            form.resetAttempt();
            src.setPhoneNumberId(String(v));
          }}
        />
      ) : null}
    </>
  );
}

function TemplatePicker({ src, form }: { src: SenderSources; form: TemplateForm }) {
  const { phoneNumberId, templates, usable, templateName, language, loadError } = src;
  const hiddenCount = (templates?.length ?? 0) - usable.length;
  const names = useMemo(() => Array.from(new Set(usable.map((t) => t.name))), [usable]);
  const languages = usable.filter((t) => t.name === templateName).map((t) => t.language);
  const selectTemplate = (name: string) => {
    form.resetAttempt();
    src.setTemplateName(name);
    const langs = usable.filter((t) => t.name === name).map((t) => t.language);
    src.setLanguage(langs.includes(language) ? language : (langs[0] ?? ''));
  };
  return (
    <>
      {phoneNumberId && templates === null && !loadError ? <LoadingSpinner label="Loading templates" /> : null}
      {templates !== null && usable.length === 0 ? (
        <Text testId="no-templates">No approved templates for this number.</Text>
      ) : null}
      {usable.length > 0 ? (
        <>
          <Select
            testId="template-name"
            label="Template"
            name="templateName"
            required
            value={templateName}
            options={names.map((n) => ({ label: n, value: n }))}
            onChange={(v) => selectTemplate(String(v))}
          />
          <Select
            testId="template-language"
            label="Language"
            name="language"
            required
            value={language}
            options={languages.map((l) => ({ label: l, value: l }))}
            onChange={(v) => {
              form.resetAttempt();
              src.setLanguage(String(v));
            }}
          />
        </>
      ) : null}
      {hiddenCount > 0 ? (
        <Text variant="microcopy">
          {hiddenCount} template{hiddenCount === 1 ? '' : 's'} with a media header can&apos;t be sent from the card.
        </Text>
      ) : null}
    </>
  );
}

function PlaceholderFields({ template, form }: { template: Template | null; form: TemplateForm }) {
  const { placeholders, values, fieldError, setValue, filled } = form;
  if (!template) return null;
  return (
    <>
      {placeholders.map((p, i) => (
        <Input
          key={`${template.name}-${template.language}-${i}`}
          testId={`template-param-${i}`}
          label={placeholderLabel(p)}
          name={`param-${i}`}
          required
          placeholder={p.example ?? undefined}
          value={values[i] ?? ''}
          error={!!fieldError(i)}
          validationMessage={fieldError(i)}
          onChange={(v) => setValue(i, v)}
          onInput={(v) => setValue(i, v)}
        />
      ))}
      <Text testId="template-count" variant="microcopy">
        {filled} of {placeholders.length} placeholder{placeholders.length === 1 ? '' : 's'} filled
      </Text>
      <Text format={{ fontWeight: 'demibold' }}>Preview</Text>
      <TemplatePreview template={template} values={values} />
    </>
  );
}

export function TemplateSender({ api, contactId, defaultPhoneNumberId, onSent, onCancel }: TemplateSenderProps) {
  const src = useSenderSources(api, defaultPhoneNumberId);
  const form = useTemplateForm(api, contactId, src, onSent);
  return (
    <Tile testId="template-sender">
      <Flex direction="column" gap="sm">
        <Heading>Send a WhatsApp template</Heading>
        <NumberPicker src={src} form={form} />
        <TemplatePicker src={src} form={form} />
        <PlaceholderFields template={src.template} form={form} />
        {form.sendError ? (
          <Alert testId="template-error" variant="error" title="Template not sent">
            {form.sendError}
          </Alert>
        ) : null}
        <Flex gap="xs">
          <Button
            testId="send-template"
            variant="primary"
            disabled={!form.countOk || form.sending}
            onClick={() => void form.send()}
          >
            {form.sending ? 'Sending…' : 'Send template'}
          </Button>
          <Button testId="cancel-template" variant="secondary" onClick={() => onCancel()}>
            Cancel
          </Button>
        </Flex>
      </Flex>
    </Tile>
  );
}

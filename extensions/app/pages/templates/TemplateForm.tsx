import { useMemo, useState } from 'react';
import { Alert, Button, Flex, Heading, Input, Select, Text, TextArea } from '@hubspot/ui-extensions';
import { HeaderEditor, type HeaderFormat } from './HeaderEditor';
import { MessagePreview } from './MessagePreview';
import { TemplatesApiError, type MediaFormat, type OpenIframeModal, type SampleView, type TemplateInput, type TemplatesApi, type TemplateView } from './types';

interface ButtonDraft { type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER'; text: string; url: string; example: string; phone: string }

export interface TemplateDraftState {
  name: string;
  language: string;
  category: TemplateInput['category'];
  /** TEXT (a text header, or none when empty) or a media header (absent = TEXT). */
  headerFormat?: HeaderFormat;
  headerText: string;
  headerExample: string;
  body: string;
  examples: string[];
  footer: string;
  buttons: ButtonDraft[];
  /** The uploaded example file of a media header, and the number it was uploaded for. */
  sample?: { view: SampleView; phoneNumberId: string } | null;
}

const LANGUAGES = ['es', 'es_CO', 'es_MX', 'en', 'en_US', 'pt_BR'];
const EMPTY: TemplateDraftState = { name: '', language: 'es', category: 'UTILITY', headerText: '', headerExample: '', body: '', examples: [], footer: '', buttons: [] };

/** Distinct {{n}} of a text in order of appearance. */
export function variablesOf(text: string): string[] {
  return Array.from(new Set(Array.from(text.matchAll(/\{\{\s*(\w+)\s*\}\}/g), (m) => m[1]!)));
}

/** Meta's component objects from the form, and which form field each component path belongs to. */
export function buildComponents(d: TemplateDraftState): { components: Record<string, unknown>[]; fieldOf: Record<string, string> } {
  const components: Record<string, unknown>[] = [];
  const fieldOf: Record<string, string> = {};
  const at = () => `components.${components.length}`;
  const media = d.headerFormat && d.headerFormat !== 'TEXT' ? d.headerFormat : null;
  if (media) {
    // Its example is the uploaded file's handle (headerSampleId); the backend puts it in.
    for (const k of [at(), `${at()}.example`, 'headerSampleId', 'headerMedia']) fieldOf[k] = 'header';
    components.push({ type: 'HEADER', format: media });
  } else if (d.headerText.trim()) {
    fieldOf[`${at()}.text`] = 'headerText';
    fieldOf[`${at()}.example`] = 'headerExample';
    const hasVar = variablesOf(d.headerText).length > 0;
    components.push({ type: 'HEADER', format: 'TEXT', text: d.headerText, ...(hasVar ? { example: { header_text: [d.headerExample] } } : {}) });
  }
  fieldOf[`${at()}.text`] = 'body';
  const vars = variablesOf(d.body);
  vars.forEach((_, i) => (fieldOf[`${at()}.example.${i}`] = `example-${i}`));
  fieldOf[`${at()}.example`] = 'example-0';
  components.push({ type: 'BODY', text: d.body, ...(vars.length ? { example: { body_text: [vars.map((_, i) => d.examples[i] ?? '')] } } : {}) });
  if (d.footer.trim()) {
    fieldOf[`${at()}.text`] = 'footer';
    components.push({ type: 'FOOTER', text: d.footer });
  }
  if (d.buttons.length) {
    fieldOf[`${at()}.buttons`] = 'buttons';
    d.buttons.forEach((b, j) => {
      for (const k of ['text', 'url', 'example', 'phone_number']) fieldOf[`${at()}.buttons.${j}.${k}`] = `button-${j}-${k === 'phone_number' ? 'phone' : k}`;
    });
    components.push({
      type: 'BUTTONS',
      buttons: d.buttons.map((b) =>
        b.type === 'URL'
          ? { type: 'URL', text: b.text, url: b.url, ...(variablesOf(b.url).length ? { example: [b.example] } : {}) }
          : b.type === 'PHONE_NUMBER'
            ? { type: 'PHONE_NUMBER', text: b.text, phone_number: b.phone }
            : { type: 'QUICK_REPLY', text: b.text },
      ),
    });
  }
  return { components, fieldOf };
}

export interface TemplateFormProps {
  phoneNumberId: string;
  onSubmit: (input: TemplateInput) => Promise<TemplateView>;
  onCreated: (t: TemplateView) => void;
  /** Example files of media headers: a link to the upload page, then what was uploaded. */
  samples?: Pick<TemplatesApi, 'createSampleLink' | 'getSample'>;
  /** HubSpot's iframe modal, where the upload page opens. */
  openIframeModal?: OpenIframeModal;
}

// The draft, its errors, the submit to Meta and the upload of a media header's example file.
function useTemplateDraft({ phoneNumberId, onSubmit, onCreated, samples, openIframeModal }: TemplateFormProps) {
  const [d, setD] = useState<TemplateDraftState>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [uploading, setUploading] = useState(false);
  const format = d.headerFormat ?? 'TEXT';
  const media = format === 'TEXT' ? null : format;
  // An example uploaded for another number (another WhatsApp account) does not count.
  const sample = media && d.sample && d.sample.phoneNumberId === phoneNumberId && d.sample.view.format === media ? d.sample.view : null;
  const set = (patch: Partial<TemplateDraftState>) => {
    setD((x) => ({ ...x, ...patch }));
    setErrors({});
    setProblem(null);
  };
  const built = useMemo(() => buildComponents(d), [d]);

  const submit = async () => {
    setSaving(true);
    try {
      const t = await onSubmit({ phoneNumberId, name: d.name.trim(), language: d.language, category: d.category, components: built.components, ...(sample ? { headerSampleId: sample.id } : {}) });
      setD(EMPTY);
      onCreated(t);
    } catch (e) {
      const ae = e instanceof TemplatesApiError ? e : new TemplatesApiError('UNKNOWN', 'The template could not be created.');
      const mapped: Record<string, string> = {};
      for (const [path, msg] of Object.entries(ae.details)) mapped[built.fieldOf[path] ?? (path === 'name' || path === 'language' || path === 'category' ? path : 'form')] = String(msg);
      setErrors(mapped);
      setProblem(ae.code === 'TEMPLATE_LINT' ? `Meta would refuse it: ${Object.values(ae.details).filter((v) => typeof v === 'string')[0] ?? ae.message}` : ae.message);
    } finally {
      setSaving(false);
    }
  };

  /** The modal closed: what (if anything) was uploaded through it. */
  const uploaded = async (id: string, forFormat: MediaFormat) => {
    try {
      const view = await samples!.getSample(id);
      if (view.state !== 'uploaded') return;
      setD((x) => ((x.headerFormat ?? 'TEXT') === forFormat ? { ...x, sample: { view, phoneNumberId } } : x));
      setErrors((e) => ({ ...e, header: '' }));
    } catch (e) {
      setProblem(e instanceof Error ? e.message : 'Could not check the uploaded file.');
    }
  };

  const upload = async () => {
    if (!media) return;
    if (!samples || !openIframeModal) {
      setProblem('Uploading an example file needs HubSpot’s iframe modal, which is not available here.');
      return;
    }
    setUploading(true);
    setProblem(null);
    try {
      const link = await samples.createSampleLink(phoneNumberId, media);
      openIframeModal({ uri: link.url, title: `Example ${media.toLowerCase()} for the template`, width: 560, height: 360 }, () => void uploaded(link.sample.id, media));
    } catch (e) {
      setProblem(e instanceof Error ? e.message : 'The upload page could not be opened.');
    } finally {
      setUploading(false);
    }
  };
  return { d, errors, problem, saving, uploading, format, media, sample, set, submit, upload };
}

/** Create a template: Meta's fields, the examples its variables need, and a live preview. */
export function TemplateForm(props: TemplateFormProps) {
  const { d, errors, problem, saving, uploading, format, media, sample, set, submit, upload } = useTemplateDraft(props);
  const vars = variablesOf(d.body);
  const err = (field: string) => (errors[field] ? { error: true, validationMessage: errors[field] } : {});
  const values = Object.fromEntries(vars.map((v, i) => [v, d.examples[i] ?? '']));
  const headerVar = format === 'TEXT' ? variablesOf(d.headerText)[0] : undefined;
  return (
    <Flex direction="column" gap="sm" testId="template-form">
      <Heading>New template</Heading>
      <Flex gap="sm">
        <Input testId="tpl-name" name="name" label="Name" description="Lowercase letters, digits and underscores" value={d.name} onChange={(v) => set({ name: v })} {...err('name')} />
        <Select testId="tpl-language" name="language" label="Language" value={d.language} options={LANGUAGES.map((l) => ({ label: l, value: l }))} onChange={(v) => set({ language: String(v) })} {...err('language')} />
        <Select
          testId="tpl-category"
          name="category"
          label="Category"
          value={d.category}
          options={['UTILITY', 'MARKETING', 'AUTHENTICATION'].map((c) => ({ label: c, value: c }))}
          onChange={(v) => set({ category: String(v) as TemplateDraftState['category'] })}
        />
      </Flex>
      <HeaderEditor format={format} text={d.headerText} example={d.headerExample} sample={sample} variable={headerVar} uploading={uploading} err={err} onChange={set} onUpload={() => void upload()} />
      <TextArea testId="tpl-body" name="body" label="Body" description="Variables as {{1}}, {{2}}… in order; never at the start or the end" value={d.body} onChange={(v) => set({ body: v })} {...err('body')} />
      {vars.map((v, i) => (
        <Input
          key={v}
          testId={`tpl-example-${i}`}
          name={`example-${i}`}
          label={`Example for {{${v}}}`}
          value={d.examples[i] ?? ''}
          onChange={(x) => set({ examples: vars.map((_, j) => (j === i ? x : (d.examples[j] ?? ''))) })}
          {...err(`example-${i}`)}
        />
      ))}
      <Input testId="tpl-footer" name="footer" label="Footer (optional)" value={d.footer} onChange={(v) => set({ footer: v })} {...err('footer')} />
      <ButtonsEditor buttons={d.buttons} errors={errors} onChange={(buttons) => set({ buttons })} />
      <Text format={{ fontWeight: 'demibold' }}>Preview: what the customer sees</Text>
      <MessagePreview
        testId="tpl-preview"
        content={{
          header: media ? { format: media, text: sample?.filename ?? null } : d.headerText ? { format: 'TEXT', text: d.headerText } : null,
          body: d.body,
          footer: d.footer || null,
          buttons: d.buttons.map((b) => ({ type: b.type, text: b.text })),
        }}
        values={values}
        headerValues={headerVar ? { [headerVar]: d.headerExample } : {}}
      />
      {problem ? (
        <Alert testId="tpl-error" variant="error" title="Template not submitted">
          {problem}
        </Alert>
      ) : null}
      <Button testId="tpl-submit" variant="primary" disabled={saving || !d.name.trim() || !d.body.trim() || (media !== null && !sample)} onClick={() => void submit()}>
        {saving ? 'Submitting…' : 'Submit to Meta for review'}
      </Button>
    </Flex>
  );
}

/** Quick replies, links and a call button (Meta's counts and grouping are checked by the backend lint). */
function ButtonsEditor({ buttons, errors, onChange }: { buttons: ButtonDraft[]; errors: Record<string, string>; onChange: (b: ButtonDraft[]) => void }) {
  const d = { buttons };
  const set = (p: { buttons: ButtonDraft[] }) => onChange(p.buttons);
  const setButton = (j: number, patch: Partial<ButtonDraft>) => set({ buttons: d.buttons.map((b, i) => (i === j ? { ...b, ...patch } : b)) });
  const err = (field: string) => (errors[field] ? { error: true, validationMessage: errors[field] } : {});
  return (
    <Flex direction="column" gap="xs">
        {errors.buttons ? <Text testId="tpl-buttons-error">{errors.buttons}</Text> : null}
        {d.buttons.map((b, j) => (
          <Flex key={j} gap="xs" align="end">
            <Select testId={`tpl-button-${j}-type`} name={`button-${j}-type`} label={`Button ${j + 1}`} value={b.type} options={[{ label: 'Quick reply', value: 'QUICK_REPLY' }, { label: 'Link', value: 'URL' }, { label: 'Call', value: 'PHONE_NUMBER' }]} onChange={(v) => setButton(j, { type: String(v) as ButtonDraft['type'] })} />
            <Input testId={`tpl-button-${j}-text`} name={`button-${j}-text`} label="Label" value={b.text} onChange={(v) => setButton(j, { text: v })} {...err(`button-${j}-text`)} />
            {b.type === 'URL' ? <Input testId={`tpl-button-${j}-url`} name={`button-${j}-url`} label="URL ({{1}} only at the end)" value={b.url} onChange={(v) => setButton(j, { url: v })} {...err(`button-${j}-url`)} /> : null}
            {b.type === 'URL' && variablesOf(b.url).length ? <Input testId={`tpl-button-${j}-example`} name={`button-${j}-example`} label="Example URL" value={b.example} onChange={(v) => setButton(j, { example: v })} {...err(`button-${j}-example`)} /> : null}
            {b.type === 'PHONE_NUMBER' ? <Input testId={`tpl-button-${j}-phone`} name={`button-${j}-phone`} label="Phone" value={b.phone} onChange={(v) => setButton(j, { phone: v })} {...err(`button-${j}-phone`)} /> : null}
            <Button testId={`tpl-remove-button-${j}`} size="xs" variant="transparent" onClick={() => set({ buttons: d.buttons.filter((_, i) => i !== j) })}>
              ✕
            </Button>
          </Flex>
        ))}
        {d.buttons.length < 10 ? (
          <Button testId="tpl-add-button" size="xs" variant="secondary" onClick={() => set({ buttons: [...d.buttons, { type: 'QUICK_REPLY', text: '', url: '', example: '', phone: '' }] })}>
            Add a button
          </Button>
        ) : null}
    </Flex>
  );
}

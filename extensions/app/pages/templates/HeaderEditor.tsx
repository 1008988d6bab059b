import { Button, Flex, Input, Select, Text } from '@hubspot/ui-extensions';
import type { MediaFormat, SampleView } from './types';

export type HeaderFormat = 'TEXT' | MediaFormat;

const FORMATS: { label: string; value: HeaderFormat }[] = [
  { label: 'Text (or none)', value: 'TEXT' },
  { label: 'Image', value: 'IMAGE' },
  { label: 'Video', value: 'VIDEO' },
  { label: 'Document', value: 'DOCUMENT' },
];

const SIZE = (n: number | null) => (n === null ? '' : n >= 1024 * 1024 ? ` (${(n / 1024 / 1024).toFixed(1)} MB)` : n >= 1024 ? ` (${Math.round(n / 1024)} KB)` : ` (${n} bytes)`);

export interface HeaderEditorProps {
  format: HeaderFormat;
  text: string;
  example: string;
  /** The example file uploaded for this number, if any. */
  sample: SampleView | null;
  /** The header's variable, when its text has one. */
  variable: string | undefined;
  uploading: boolean;
  err: (field: string) => { error?: boolean; validationMessage?: string };
  onChange: (patch: { headerFormat?: HeaderFormat; headerText?: string; headerExample?: string }) => void;
  /** Opens the upload page for an example file of this format. */
  onUpload: () => void;
}

/**
 * The template's header: a text with at most one variable, or an image / video / document whose
 * example file Meta requires. There is no file input in HubSpot's UI kit, so the file is picked on
 * our upload page, opened in HubSpot's iframe modal (as the card does for attachments).
 */
export function HeaderEditor({ format, text, example, sample, variable, uploading, err, onChange, onUpload }: HeaderEditorProps) {
  return (
    <Flex direction="column" gap="xs">
      <Flex gap="sm" align="end">
        <Select testId="tpl-header-format" name="headerFormat" label="Header" value={format} options={FORMATS} onChange={(v) => onChange({ headerFormat: String(v) as HeaderFormat })} />
        {format === 'TEXT' ? (
          <Input testId="tpl-header" name="headerText" label="Header text (optional, at most one variable)" value={text} onChange={(v) => onChange({ headerText: v })} {...err('headerText')} />
        ) : null}
      </Flex>
      {format === 'TEXT' && variable ? (
        <Input testId="tpl-header-example" name="headerExample" label={`Example for the header's {{${variable}}}`} value={example} onChange={(v) => onChange({ headerExample: v })} {...err('headerExample')} />
      ) : null}
      {format !== 'TEXT' ? (
        <Flex gap="sm" align="center">
          <Text testId="tpl-header-sample" format={sample ? { fontWeight: 'demibold' } : undefined}>
            {sample ? `Example ${format.toLowerCase()}: ${sample.filename ?? 'uploaded'}${SIZE(sample.sizeBytes)}` : `Meta needs an example ${format.toLowerCase()} to review this template.`}
          </Text>
          <Button testId="tpl-header-upload" size="xs" variant="secondary" disabled={uploading} onClick={onUpload}>
            {sample ? 'Upload another file' : 'Upload an example file'}
          </Button>
        </Flex>
      ) : null}
      {err('header').validationMessage ? <Text testId="tpl-header-error">{err('header').validationMessage}</Text> : null}
    </Flex>
  );
}

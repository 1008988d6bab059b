import { validation } from '../errors.js';
import { baseMime, formatBytes, sniffMime } from '../media/index.js';

/**
 * The example file of a media header (IMAGE / VIDEO / DOCUMENT): what Meta takes for each format
 * (notes §10), checked on the bytes (never on the name) before it goes to the Resumable Upload API.
 */
export const SAMPLE_TYPES: Record<SampleFormat, { mime: string[]; maxBytes: number }> = {
  IMAGE: { mime: ['image/jpeg', 'image/png'], maxBytes: 5 * 1024 * 1024 },
  VIDEO: { mime: ['video/mp4', 'video/3gpp'], maxBytes: 16 * 1024 * 1024 },
  DOCUMENT: { mime: ['application/pdf'], maxBytes: 100 * 1024 * 1024 },
};
export type SampleFormat = 'IMAGE' | 'VIDEO' | 'DOCUMENT';

export const isSampleFormat = (f: unknown): f is SampleFormat => typeof f === 'string' && f in SAMPLE_TYPES;

/** The sample's MIME type when it fits the format; a VALIDATION error (`field`) saying why not. */
export function checkSample(format: SampleFormat, bytes: Buffer, declared: string, field: string): string {
  const rule = SAMPLE_TYPES[format];
  const kind = format.toLowerCase();
  let mime = baseMime(declared || '');
  const sniffed = sniffMime(bytes);
  if (sniffed && !sniffed.includes(mime)) {
    if (!mime || mime === 'application/octet-stream') mime = sniffed.find((m) => rule.mime.includes(m)) ?? sniffed[0]!;
    else throw validation(`The file's content (${sniffed[0]}) does not match its type ${mime}`, { [field]: `The content is ${sniffed[0]}, not ${mime}` });
  }
  if (!rule.mime.includes(mime)) throw validation(`A ${kind} header takes ${rule.mime.join(', ')}`, { [field]: `A ${kind} header takes ${rule.mime.join(' or ')}` });
  if (!bytes.length || bytes.length > rule.maxBytes) {
    throw validation(`The example file must be at most ${formatBytes(rule.maxBytes)}`, { [field]: `A file of at most ${formatBytes(rule.maxBytes)}` });
  }
  return mime;
}

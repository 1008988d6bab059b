/** Meta's media types and size limits (notes §10), and type detection from the bytes. */
const MB = 1024 * 1024;

export type MediaKind = 'image' | 'document' | 'audio' | 'video' | 'sticker';

export const MEDIA_LIMITS: Record<MediaKind, { mimes: string[]; maxBytes: number }> = {
  audio: { mimes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 16 * MB },
  document: {
    mimes: [
      'text/plain',
      'application/pdf',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: 100 * MB,
  },
  image: { mimes: ['image/jpeg', 'image/png'], maxBytes: 5 * MB },
  sticker: { mimes: ['image/webp'], maxBytes: 500 * 1024 },
  video: { mimes: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB },
};

/** "audio/ogg; codecs=opus" → "audio/ogg". */
export function baseMime(mime: string): string {
  return mime.split(';')[0]!.trim().toLowerCase();
}

/** The kind a MIME type is sent as (image/png → image, application/pdf → document). */
export function kindOfMime(mime: string): MediaKind | undefined {
  const m = baseMime(mime);
  return (Object.keys(MEDIA_LIMITS) as MediaKind[]).find((k) => MEDIA_LIMITS[k].mimes.includes(m));
}

/** MIME types the bytes can be (magic numbers); undefined when unrecognised (e.g. plain text). */
export function sniffMime(b: Buffer): string[] | undefined {
  const starts = (...xs: number[]) => xs.every((x, i) => b[i] === x);
  const ascii = (from: number, s: string) => b.subarray(from, from + s.length).toString('latin1') === s;
  if (starts(0xff, 0xd8, 0xff)) return ['image/jpeg'];
  if (starts(0x89, 0x50, 0x4e, 0x47)) return ['image/png'];
  if (ascii(0, 'GIF8')) return ['image/gif'];
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return ['image/webp'];
  if (ascii(0, '%PDF')) return ['application/pdf'];
  if (ascii(0, 'OggS')) return ['audio/ogg'];
  if (ascii(0, '#!AMR')) return ['audio/amr'];
  if (ascii(0, 'ID3') || starts(0xff, 0xfb) || starts(0xff, 0xf3) || starts(0xff, 0xf2)) return ['audio/mpeg'];
  if (starts(0xff, 0xf1) || starts(0xff, 0xf9)) return ['audio/aac'];
  if (ascii(4, 'ftyp')) return ascii(8, '3gp') ? ['video/3gpp'] : ['video/mp4', 'audio/mp4', 'audio/aac'];
  if (starts(0x50, 0x4b, 0x03, 0x04)) return MEDIA_LIMITS.document.mimes.filter((m) => m.includes('openxmlformats'));
  if (starts(0xd0, 0xcf, 0x11, 0xe0)) return ['application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint'];
  return undefined;
}

export interface MediaCheck {
  ok: boolean;
  kind?: MediaKind;
  mimeType?: string;
  problem?: string;
}

/**
 * Checks an outbound attachment against Meta's limits: a supported type (detected from the bytes
 * when they are recognisable, never from the name), within the size limit of its kind.
 */
export function checkOutboundMedia(p: { bytes?: Buffer; size: number; mimeType: string; kind?: MediaKind }): MediaCheck {
  let mime = baseMime(p.mimeType || '');
  const sniffed = p.bytes ? sniffMime(p.bytes) : undefined;
  if (sniffed && !sniffed.includes(mime)) {
    if (!mime || mime === 'application/octet-stream') mime = sniffed[0]!;
    else return { ok: false, problem: `the file's content (${sniffed[0]}) does not match its declared type ${mime}` };
  }
  const natural = kindOfMime(mime);
  if (!natural) {
    const allowed = Object.values(MEDIA_LIMITS).flatMap((l) => l.mimes);
    return { ok: false, problem: `WhatsApp does not accept ${mime || 'this file type'}; allowed: ${allowed.join(', ')}` };
  }
  const kind = p.kind ?? natural;
  if (kind !== natural && !(kind === 'document' && natural !== 'sticker')) {
    return { ok: false, problem: `a ${mime} file cannot be sent as ${kind}` };
  }
  const max = MEDIA_LIMITS[natural].maxBytes;
  if (p.size <= 0) return { ok: false, problem: 'the file is empty' };
  if (p.size > max) return { ok: false, problem: `${kind} files may be at most ${formatBytes(max)}; this one is ${formatBytes(p.size)}` };
  return { ok: true, kind, mimeType: mime };
}

export function formatBytes(n: number): string {
  if (n >= MB) return `${(n / MB).toFixed(n % MB === 0 ? 0 : 1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

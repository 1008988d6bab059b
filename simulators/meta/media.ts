// Media rules (notes §10): supported MIME types, size limits, type detection from the bytes, media URLs.
import { createHmac } from 'node:crypto';
import type { MediaRecord } from './types.js';

const MB = 1024 * 1024;
export type MediaKind = 'audio' | 'document' | 'image' | 'sticker' | 'video';

export const MEDIA_RULES: Record<MediaKind, { mimes: string[]; maxBytes: number }> = {
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

export const ALL_MIMES = Object.values(MEDIA_RULES).flatMap((r) => r.mimes);

/** "audio/ogg; codecs=opus" → "audio/ogg". */
export function baseMime(mime: string): string {
  return mime.split(';')[0].trim().toLowerCase();
}

export function kindOfMime(mime: string): MediaKind | undefined {
  const m = baseMime(mime);
  return (Object.keys(MEDIA_RULES) as MediaKind[]).find((k) => MEDIA_RULES[k].mimes.includes(m));
}

/** Whether media of this MIME type can be sent as a `kind` message (documents accept any supported type). */
export function mimeFitsKind(mime: string, kind: MediaKind): boolean {
  return kind === 'document' ? ALL_MIMES.includes(baseMime(mime)) : MEDIA_RULES[kind].mimes.includes(baseMime(mime));
}

/** MIME types compatible with the file's magic bytes, or undefined when the bytes are not recognised. */
export function sniffMimes(b: Buffer): { label: string; mimes: string[] } | undefined {
  const starts = (...xs: number[]): boolean => xs.every((x, i) => b[i] === x);
  const ascii = (from: number, s: string): boolean => b.subarray(from, from + s.length).toString('latin1') === s;
  if (starts(0xff, 0xd8, 0xff)) return { label: 'image/jpeg', mimes: ['image/jpeg'] };
  if (starts(0x89, 0x50, 0x4e, 0x47)) return { label: 'image/png', mimes: ['image/png'] };
  if (ascii(0, 'GIF8')) return { label: 'image/gif', mimes: [] };
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return { label: 'image/webp', mimes: ['image/webp'] };
  if (ascii(0, '%PDF')) return { label: 'application/pdf', mimes: ['application/pdf'] };
  if (ascii(0, 'OggS')) return { label: 'audio/ogg', mimes: ['audio/ogg'] };
  if (ascii(0, '#!AMR')) return { label: 'audio/amr', mimes: ['audio/amr'] };
  if (ascii(0, 'ID3') || starts(0xff, 0xfb) || starts(0xff, 0xf3)) return { label: 'audio/mpeg', mimes: ['audio/mpeg'] };
  if (ascii(4, 'ftyp')) {
    return ascii(8, '3gp')
      ? { label: 'video/3gpp', mimes: ['video/3gpp'] }
      : { label: 'video/mp4', mimes: ['video/mp4', 'audio/mp4', 'audio/aac'] };
  }
  if (starts(0x50, 0x4b, 0x03, 0x04)) {
    return { label: 'application/zip', mimes: MEDIA_RULES.document.mimes.filter((m) => m.includes('openxmlformats')) };
  }
  if (starts(0xd0, 0xcf, 0x11, 0xe0)) {
    return { label: 'application/x-ole-storage', mimes: ['application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint'] };
  }
  return undefined;
}

export const MEDIA_URL_TTL_S = 300;
export const ATTACHMENTS_PATH = '/whatsapp_business/attachments/';

function urlHash(appSecret: string, mid: string, ext: number): string {
  return createHmac('sha256', appSecret).update(`${mid}:${ext}`).digest('base64url').slice(0, 27);
}

/** A lookaside-style URL on the simulator itself, valid for 5 minutes. */
export function mediaUrl(baseUrl: string, appSecret: string, m: MediaRecord, nowMs: number): string {
  const ext = Math.floor(nowMs / 1000) + MEDIA_URL_TTL_S;
  return `${baseUrl.replace(/\/$/, '')}${ATTACHMENTS_PATH}?mid=${m.id}&ext=${ext}&hash=${urlHash(appSecret, m.id, ext)}`;
}

export function checkMediaUrl(appSecret: string, q: { mid?: unknown; ext?: unknown; hash?: unknown }, nowMs: number): string | undefined {
  const mid = typeof q.mid === 'string' ? q.mid : undefined;
  const ext = Number(q.ext);
  if (!mid || !Number.isFinite(ext) || typeof q.hash !== 'string') return undefined;
  if (urlHash(appSecret, mid, ext) !== q.hash) return undefined;
  if (Math.floor(nowMs / 1000) >= ext) return undefined;
  return mid;
}

// The extension API's commands: who calls (HubSpot's signed ids), the bodies and queries each use case
// accepts (zod), and the idempotency key the sender keeps. Parsing happens here, once, so the use cases
// in actions.ts and rep-send.ts start from typed values.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { notFound, validation, zodDetails } from '../errors.js';
import { hasVisibleText } from '../messages/text.js';

export interface Caller {
  portalId: number;
  userId: number;
}

/** The sender's client key for an API call's Idempotency-Key (bounded length, scoped to the portal). */
export const clientKeyOf = (portalId: number, key: string | undefined, suffix = ''): string | undefined => {
  if (!key) return undefined;
  const raw = key + suffix;
  return `api:${portalId}:${raw.length > 120 ? createHash('sha256').update(raw).digest('hex') : raw}`;
};

export const parseId = (raw: string, what: string): number => {
  const m = /^(?:[a-z]+_)?(\d{1,15})$/.exec(raw);
  if (!m) throw notFound(`No such ${what}`);
  return Number(m[1]);
};

export function parse<T extends z.ZodType>(schema: T, body: unknown, what = 'The request'): z.infer<T> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const details = zodDetails(r.error);
    const [field, msg] = Object.entries(details)[0] ?? ['_', 'invalid'];
    throw validation(`${what} is not valid: ${field} ${msg}`, details);
  }
  return r.data;
}

export const textBody = z.object({
  text: z
    .string({ message: 'Required' })
    .refine(hasVisibleText, 'Write a message first (spaces and invisible characters alone show nothing)')
    .refine((s) => [...s].length <= 4096, 'At most 4096 characters'),
});
export const templateBody = z.object({
  phoneNumberId: z.string({ message: 'Required' }).min(1, 'Required'),
  templateName: z.string({ message: 'Required' }).min(1, 'Required'),
  language: z.string({ message: 'Required' }).min(1, 'Required'),
  parameters: z.array(z.string({ message: 'Must be text' })).max(100).default([]),
});
export const agentBody = z.object({ agentId: z.string({ message: 'Required' }).min(1, 'Required') });
export const transferBody = z.object({ agentId: z.string({ message: 'Required' }).min(1, 'Required'), message: z.string().max(4096, 'At most 4096 characters').optional() });
export const resolveBody = z.object({ label: z.string({ message: 'Required' }) });
export const pageQuery = z.object({
  before: z.string().regex(/^c_\d{1,15}$/, 'Not a cursor from this API').optional(),
  limit: z.coerce.number().int('Whole number').min(1, 'At least 1').max(50, 'At most 50').default(30),
});


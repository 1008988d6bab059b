import { z } from 'zod';
import type { MessageRow } from '../messages/message-row.js';
import { hasVisibleText, textProblem } from '../messages/text.js';

export type { MessageRow } from '../messages/message-row.js';

const nonEmpty = z.string().min(1);
const max = (n: number) => z.string().refine((s) => [...s].length <= n, `must be at most ${n} characters`);

/** Text we can store and that shows the customer something (src/messages/text.ts). */
const sendableText = (max: number) =>
  z
    .string()
    .superRefine((s, ctx) => {
      const problem = textProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .refine((s) => [...s].length <= max, `must be at most ${max} characters`);

export const OutboundContentSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: sendableText(4096).refine(hasVisibleText, 'must contain visible text (not only spaces or invisible characters)') }),
  z
    .object({
      kind: z.literal('media'),
      mediaType: z.enum(['image', 'document', 'audio', 'video', 'sticker']),
      mediaId: nonEmpty.optional(),
      link: z.url({ protocol: /^https?$/ }).optional(),
      caption: sendableText(1024).optional(),
      filename: sendableText(240).optional(),
    })
    .refine((m) => Boolean(m.mediaId) !== Boolean(m.link), { message: 'give either mediaId or link', path: ['mediaId'] })
    .refine((m) => !m.caption || ['image', 'video', 'document'].includes(m.mediaType), { message: 'only images, videos and documents take a caption', path: ['caption'] }),
  z.object({
    kind: z.literal('template'),
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be a template name (lowercase letters, digits, underscores)'),
    language: z.string().regex(/^[a-z]{2,3}(_[A-Za-z0-9]{2,8})?$/, 'must be a language code such as es, es_CO or en_US'),
    parameters: z.array(z.string()).max(100),
    headerMedia: z.object({ type: z.enum(['image', 'document', 'video']), link: z.url().optional(), mediaId: nonEmpty.optional() }).optional(),
    buttonPayloads: z.array(z.string().max(1000)).max(10).optional(),
  }),
  z.object({
    kind: z.literal('interactive_buttons'),
    body: z.string().min(1).refine((s) => [...s].length <= 1024, 'must be at most 1024 characters'),
    footer: z.string().refine((s) => [...s].length <= 60, 'must be at most 60 characters').optional(),
    buttons: z
      .array(z.object({ id: z.string().min(1).max(256), title: z.string().min(1).refine((s) => [...s].length <= 20, 'must be at most 20 characters') }))
      .min(1)
      .max(3)
      .refine((bs) => new Set(bs.map((b) => b.title)).size === bs.length, 'button titles must be unique')
      .refine((bs) => new Set(bs.map((b) => b.id)).size === bs.length, 'button ids must be unique'),
  }),
  z.object({
    kind: z.literal('interactive_list'),
    body: z.string().min(1).refine((s) => [...s].length <= 4096, 'must be at most 4096 characters'),
    footer: max(60).optional(),
    /** The label of the button that opens the list. */
    button: max(20).refine((s) => s.trim().length > 0, 'must not be empty'),
    sections: z
      .array(
        z.object({
          title: max(24).optional(),
          rows: z
            .array(z.object({ id: z.string().min(1).max(200), title: max(24).refine((s) => s.trim().length > 0, 'must not be empty'), description: max(72).optional() }))
            .min(1),
        }),
      )
      .min(1)
      .max(10)
      // Meta's limits (notes §8.8): 10 rows in all, unique row ids, a title on each section when there are several.
      .refine((ss) => ss.reduce((n, x) => n + x.rows.length, 0) <= 10, 'at most 10 rows in all')
      .refine((ss) => new Set(ss.flatMap((x) => x.rows.map((r) => r.id))).size === ss.reduce((n, x) => n + x.rows.length, 0), 'row ids must be unique')
      .refine((ss) => ss.length === 1 || ss.every((x) => x.title?.trim()), 'every section needs a title when there are several'),
  }),
]);

export const OutboundRequestSchema = z.object({
  portalId: z.number().int().positive(),
  contactId: z.number().int().positive(),
  phoneNumberId: nonEmpty,
  conversationId: z.number().int().positive().nullable().optional(),
  sender: z.enum(['agent', 'bot', 'system', 'campaign']),
  agentId: z.number().int().positive().nullable().optional(),
  clientKey: z.string().min(1).max(200).optional(),
  content: OutboundContentSchema,
});

export type OutboundContent =
  | { kind: 'text'; text: string }
  | { kind: 'media'; mediaType: 'image' | 'document' | 'audio' | 'video' | 'sticker'; mediaId?: string; link?: string; caption?: string; filename?: string }
  | {
      kind: 'template';
      name: string;
      language: string;
      parameters: string[];
      headerMedia?: { type: 'image' | 'document' | 'video'; link?: string; mediaId?: string };
      buttonPayloads?: string[];
    }
  | { kind: 'interactive_buttons'; body: string; buttons: { id: string; title: string }[]; footer?: string }
  | { kind: 'interactive_list'; body: string; button: string; sections: InteractiveListSection[]; footer?: string };

/** A section of an interactive list message: at most 10 rows in all sections together. */
export interface InteractiveListSection {
  title?: string;
  rows: { id: string; title: string; description?: string }[];
}

export interface OutboundRequest {
  portalId: number;
  contactId: number;
  phoneNumberId: string;
  conversationId?: number | null;
  sender: 'agent' | 'bot' | 'system' | 'campaign';
  agentId?: number | null;
  /** Idempotency key: a second send with the same key returns the first message and sends nothing. */
  clientKey?: string;
  content: OutboundContent;
}

export interface WhatsAppSender {
  /** Stores the message, sends it through Meta, returns the row (status `accepted`; `failed` → throws AppError). */
  send(req: OutboundRequest): Promise<MessageRow>;
  /** Blue ticks for a customer's message (and it stops the typing indicator). */
  markRead(portalId: number, phoneNumberId: string, wamid: string): Promise<void>;
}

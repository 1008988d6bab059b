import axios from 'axios';
import type { AppContext } from '../app-context.js';
import type { ContactRow } from '../contacts/contacts-repo.js';
import { AppError, notFound, validation } from '../errors.js';
import { checkOutboundMedia } from '../media/index.js';
import { buildTemplateComponents, checkTemplateParameters, findTemplate, renderTemplateText, type TemplateRow } from '../templates/index.js';
import { MetaApiError, type GraphClient } from './graph.js';
import { interactiveListBody } from './interactive.js';
import type { NumberRow } from './numbers.js';
import type { OutboundContent } from './types.js';

/** What a send stores and sends: the Graph request body, the text shown, the attachment bytes charged. */
export interface Built {
  type: string;
  text: string | null;
  templateName: string | null;
  body: Record<string, unknown>;
  attachmentBytes: number;
}

export interface BuilderDeps {
  ctx: AppContext;
  graph: GraphClient;
  token(n: NumberRow): string;
  /** Re-reads a WABA's templates (used when a template is not known locally yet). */
  syncTemplates: (wabaId: string) => Promise<unknown>;
}

/** Turns an outbound request into the Graph call, checking it (template, attachment) before anything is stored. */
export class OutboundBuilder {
  constructor(private readonly d: BuilderDeps) {}

  private get ctx(): AppContext {
    return this.d.ctx;
  }

  /** The Graph request body and what we store, checked before anything is stored or sent. */
  async build(content: OutboundContent, number: NumberRow, contact: ContactRow): Promise<Built> {
    const base: Record<string, unknown> = { messaging_product: 'whatsapp', recipient_type: 'individual' };
    if (contact.phone_e164) base.to = contact.phone_e164;
    else base.recipient = contact.bsuid;
    switch (content.kind) {
      case 'text':
        return {
          type: 'text',
          text: content.text,
          templateName: null,
          body: { ...base, type: 'text', text: { body: content.text, preview_url: /https?:\/\//.test(content.text) } },
          attachmentBytes: 0,
        };
      case 'interactive_buttons':
        return {
          type: 'interactive',
          text: content.body,
          templateName: null,
          body: {
            ...base,
            type: 'interactive',
            interactive: {
              type: 'button',
              body: { text: content.body },
              ...(content.footer ? { footer: { text: content.footer } } : {}),
              action: { buttons: content.buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) },
            },
          },
          attachmentBytes: 0,
        };
      case 'interactive_list':
        return { type: 'interactive', text: content.body, templateName: null, body: { ...base, ...interactiveListBody(content) }, attachmentBytes: 0 };
      case 'media': {
        const size = await this.attachmentSize(content, number);
        if (size.mimeType !== undefined || size.bytes > 0) {
          const check = checkOutboundMedia({ size: size.bytes > 0 ? size.bytes : 1, mimeType: size.mimeType ?? '', kind: content.mediaType });
          if (!check.ok) throw validation(`The attachment cannot be sent on WhatsApp: ${check.problem}`, { [content.mediaId ? 'mediaId' : 'link']: check.problem });
        }
        const media: Record<string, unknown> = content.mediaId ? { id: content.mediaId } : { link: content.link };
        if (content.caption) media.caption = content.caption;
        if (content.filename && content.mediaType === 'document') media.filename = content.filename;
        return {
          type: content.mediaType,
          text: content.caption ?? (content.mediaType === 'document' ? (content.filename ?? null) : null),
          templateName: null,
          body: { ...base, type: content.mediaType, [content.mediaType]: media },
          attachmentBytes: size.bytes,
        };
      }
      case 'template': {
        const t = await this.template(number, content.name, content.language);
        checkTemplateParameters(t, content.parameters);
        const components = buildTemplateComponents(t, content.parameters, { headerMedia: content.headerMedia, buttonPayloads: content.buttonPayloads });
        return {
          type: 'template',
          text: renderTemplateText(t, content.parameters),
          templateName: t.name,
          body: { ...base, type: 'template', template: { name: t.name, language: { code: t.language }, ...(components.length ? { components } : {}) } },
          attachmentBytes: 0,
        };
      }
    }
  }

  private async template(number: NumberRow, name: string, language: string): Promise<TemplateRow> {
    let t = await findTemplate(this.ctx.db.pool, number.waba_id, name, language);
    if (!t) {
      try {
        await this.d.syncTemplates(number.waba_id);
      } catch (err) {
        this.ctx.logger.warn({ err, wabaId: number.waba_id }, 'template sync on demand failed');
      }
      t = await findTemplate(this.ctx.db.pool, number.waba_id, name, language);
    }
    if (!t || t.status === 'DELETED') throw notFound(`Template ${name} in ${language} is not a template of this WhatsApp number's account`);
    if (t.status !== 'APPROVED') {
      throw new AppError(409, 'TEMPLATE_UNAVAILABLE', `Template ${name} (${language}) is ${t.status.toLowerCase()}, not approved; it cannot be sent`);
    }
    return t;
  }

  /** Size and type of an outbound attachment: from our upload record, else Meta's media info, else a HEAD on the link. */
  private async attachmentSize(content: Extract<OutboundContent, { kind: 'media' }>, number: NumberRow): Promise<{ bytes: number; mimeType?: string }> {
    if (content.mediaId) {
      const r = await this.ctx.db.query<{ size_bytes: number; mime_type: string }>(
        `SELECT size_bytes, mime_type FROM media_objects WHERE meta_media_id = $1 AND direction = 'out' AND phone_number_id = $2 ORDER BY id DESC LIMIT 1`,
        [content.mediaId, number.phone_number_id],
      );
      if (r.rows[0]) return { bytes: Number(r.rows[0].size_bytes ?? 0), mimeType: r.rows[0].mime_type ?? undefined };
      try {
        const info = await this.d.graph.getMediaInfo(content.mediaId, this.d.token(number), number.phone_number_id);
        return { bytes: Number(info.file_size ?? 0), mimeType: info.mime_type };
      } catch (err) {
        if (err instanceof MetaApiError && !err.network) {
          throw validation(`WhatsApp does not know media ${content.mediaId}: ${err.details ?? err.message}`, { mediaId: 'unknown media id' });
        }
        throw err;
      }
    }
    try {
      const r = await axios.head(content.link!, { timeout: 5000, maxRedirects: 3 });
      const len = Number(r.headers['content-length'] ?? 0);
      const type = typeof r.headers['content-type'] === 'string' ? r.headers['content-type'] : undefined;
      return { bytes: Number.isFinite(len) ? len : 0, mimeType: type };
    } catch {
      this.ctx.logger.info({ phoneNumberId: number.phone_number_id }, 'attachment link did not answer HEAD; size not counted');
      return { bytes: 0 };
    }
  }
}

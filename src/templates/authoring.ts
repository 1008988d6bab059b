import { z } from 'zod';
import type { Database } from '../db/database.js';
import { AppError, notFound, validation, zodDetails } from '../errors.js';
import type { Logger } from '../logger.js';
import { MetaApiError } from '../whatsapp/graph.js';
import { portalNumber, type NumberRow } from '../whatsapp/numbers.js';
import { assertTemplateLint, type TemplateDraft } from './lint.js';
import type { CreatedTemplate } from './meta-api.js';
import type { TemplateComponent } from './placeholders.js';
import { checkSample, isSampleFormat } from './samples.js';
import { blockedTemplateNames, listAllTemplates, listApprovedTemplates, markNameDeleted, upsertTemplate, type TemplateRow } from './repo.js';

/** The Meta calls authoring makes (TemplateManagementApi in production). */
export interface TemplateMeta {
  createTemplate(wabaId: string, token: string, body: Record<string, unknown>): Promise<CreatedTemplate>;
  deleteTemplate(wabaId: string, token: string, name: string): Promise<void>;
  uploadSample(token: string, file: { bytes: Buffer; mimeType: string; filename: string }): Promise<string>;
}

export interface AuthoringDeps {
  db: Database;
  logger: Logger;
  now: () => Date;
  meta: TemplateMeta;
  /** The number's Graph token in clear (it is stored encrypted). */
  tokenOf: (n: NumberRow) => string;
  /** The handle of an example file uploaded from the Templates page (sample-upload.ts). */
  sampleHandle?: (portalId: number, wabaId: string, sampleId: string, format: string) => Promise<string>;
}

const PENDING_HANDLE = 'pending-upload';

export const createTemplateInput = z.object({
  phoneNumberId: z.string().min(1, 'Required'),
  name: z.string(),
  language: z.string(),
  category: z.string(),
  parameter_format: z.string().optional(),
  components: z.array(z.record(z.string(), z.unknown())).min(1, 'Add a body').max(10),
  /** A sample file for an IMAGE/VIDEO/DOCUMENT header, base64: uploaded to Meta for its example handle. */
  headerMedia: z.object({ data: z.string().min(1), mimeType: z.string().min(1), filename: z.string().max(240).optional() }).optional(),
  /** Or an example file already uploaded through the Templates page's upload link (its handle is used). */
  headerSampleId: z.string().min(1).max(64).optional(),
});
export type CreateTemplateInput = z.infer<typeof createTemplateInput>;

/** Where Meta's creation-time error codes (notes §11.5) point in the form. */
function metaField(subcode: number | undefined, components: TemplateComponent[]): string {
  const at = (type: string) => {
    const i = components.findIndex((c) => String(c.type).toUpperCase() === type);
    return i >= 0 ? `components.${i}` : 'components';
  };
  switch (subcode) {
    case 2388047:
      return at('HEADER');
    case 2388072:
    case 2388293:
    case 2388299:
      return `${at('BODY')}.text`;
    case 2388073:
      return `${at('FOOTER')}.text`;
    case 2388023:
    case 2388024:
      return 'name';
    case 2388019:
      return 'phoneNumberId';
    default:
      return 'components';
  }
}

/** F5: templates written in the app, checked locally, submitted to Meta, then followed by webhook and sync. */
export class TemplateAuthoring {
  constructor(private readonly d: AuthoringDeps) {}

  private async number(portalId: number, phoneNumberId: unknown): Promise<NumberRow> {
    if (typeof phoneNumberId !== 'string' || !phoneNumberId) throw validation('phoneNumberId: is required', { phoneNumberId: 'is required' });
    const n = await portalNumber(this.d.db.pool, portalId, phoneNumberId);
    if (!n) throw notFound(`WhatsApp number ${phoneNumberId} is not connected to this portal`);
    return n;
  }

  async list(portalId: number, phoneNumberId: unknown, status: unknown): Promise<TemplateRow[]> {
    const n = await this.number(portalId, phoneNumberId);
    return status === 'all' ? listAllTemplates(this.d.db.pool, n.waba_id) : listApprovedTemplates(this.d.db.pool, n.waba_id);
  }

  /** Lint (nothing reaches Meta unless it passes), sample upload, create at Meta, stored PENDING. */
  async create(portalId: number, body: unknown): Promise<TemplateRow> {
    const parsed = createTemplateInput.safeParse(body);
    if (!parsed.success) {
      const details = zodDetails(parsed.error);
      throw validation(`The template is not valid: ${Object.keys(details).join(', ')}`, details);
    }
    const input = parsed.data;
    const n = await this.number(portalId, input.phoneNumberId);
    const components = input.components.map((c) => ({ ...c, type: String(c.type ?? '').toUpperCase() })) as TemplateComponent[];
    const headerIndex = components.findIndex((c) => c.type === 'HEADER');
    const sample = input.headerMedia ? this.sample(input.headerMedia, components[headerIndex], headerIndex) : undefined;
    if (sample) components[headerIndex] = { ...components[headerIndex]!, example: { header_handle: [PENDING_HANDLE] } };
    if (input.headerSampleId) components[headerIndex] = await this.uploadedSample(portalId, n, input, components[headerIndex], headerIndex);

    const draft: TemplateDraft = { name: input.name, language: input.language, category: input.category.toUpperCase(), parameter_format: input.parameter_format, components };
    assertTemplateLint(draft, await blockedTemplateNames(this.d.db.pool, n.waba_id));

    const token = this.d.tokenOf(n);
    try {
      if (sample) {
        const handle = await this.d.meta.uploadSample(token, sample);
        components[headerIndex] = { ...components[headerIndex]!, example: { header_handle: [handle] } };
      }
      const created = await this.d.meta.createTemplate(n.waba_id, token, {
        name: draft.name,
        language: draft.language,
        category: draft.category,
        parameter_format: String(draft.parameter_format ?? 'positional').toLowerCase(),
        components,
      });
      const row = await upsertTemplate(
        this.d.db.pool,
        n.waba_id,
        { metaTemplateId: created.id, name: draft.name, language: draft.language, category: created.category ?? draft.category, status: created.status, parameterFormat: draft.parameter_format, components },
        this.d.now(),
      );
      this.d.logger.info({ portalId, wabaId: n.waba_id, name: draft.name, language: draft.language }, 'template submitted to Meta');
      return row!; // stored whatever the row was (no listing to be older than a delete)
    } catch (err) {
      throw this.metaRefusal(err, components);
    }
  }

  /** Deletes every language of the name at Meta; the name stays blocked for new templates. */
  async remove(portalId: number, phoneNumberId: unknown, name: string): Promise<void> {
    const n = await this.number(portalId, phoneNumberId);
    try {
      await this.d.meta.deleteTemplate(n.waba_id, this.d.tokenOf(n), name);
    } catch (err) {
      if (err instanceof MetaApiError && err.subcode === 2593002) {
        await markNameDeleted(this.d.db.pool, n.waba_id, name, this.d.now());
        throw notFound(`Template ${name} does not exist at Meta`);
      }
      throw this.metaRefusal(err, []);
    }
    await markNameDeleted(this.d.db.pool, n.waba_id, name, this.d.now());
  }

  /** The header with the handle of the example file uploaded from the page. */
  private async uploadedSample(portalId: number, n: NumberRow, input: CreateTemplateInput, header: TemplateComponent | undefined, index: number): Promise<TemplateComponent> {
    const format = String(header?.format ?? '').toUpperCase();
    if (input.headerMedia) throw validation('Give headerMedia or headerSampleId, not both', { headerSampleId: 'Either an uploaded example or headerMedia' });
    if (!header || !isSampleFormat(format)) throw validation('headerSampleId: only for an IMAGE, VIDEO or DOCUMENT header', { headerSampleId: `Only for an IMAGE, VIDEO or DOCUMENT header (${index >= 0 ? `components.${index}` : 'components'})` });
    if (!this.d.sampleHandle) throw validation('headerSampleId: example uploads are not available here', { headerSampleId: 'Not available' });
    return { ...header, example: { header_handle: [await this.d.sampleHandle(portalId, n.waba_id, input.headerSampleId!, format)] } };
  }

  private sample(m: NonNullable<CreateTemplateInput['headerMedia']>, header: TemplateComponent | undefined, index: number) {
    const format = String(header?.format ?? '').toUpperCase();
    const where = index >= 0 ? `components.${index}` : 'components';
    if (!isSampleFormat(format)) throw validation('headerMedia: only for an IMAGE, VIDEO or DOCUMENT header', { headerMedia: `Only for an IMAGE, VIDEO or DOCUMENT header (${where})` });
    const bytes = Buffer.from(m.data, 'base64');
    const mimeType = checkSample(format, bytes, m.mimeType, 'headerMedia.data');
    return { bytes, mimeType, filename: m.filename ?? `sample.${mimeType.split('/')[1]}` };
  }

  /** Meta's synchronous refusals, keyed like the lint so the form shows them the same way. */
  private metaRefusal(err: unknown, components: TemplateComponent[]): unknown {
    if (!(err instanceof MetaApiError)) return err;
    if (err.network || err.httpStatus === undefined || err.httpStatus >= 500) return new AppError(502, 'META_UNAVAILABLE', `Meta did not answer: ${err.message}`);
    if (err.code === 190) return new AppError(409, 'NUMBER_TOKEN_INVALID', 'The number’s access token is no longer valid: reconnect it');
    const field = metaField(err.subcode, components);
    return new AppError(422, 'TEMPLATE_LINT', `Meta refused the template: ${err.details ?? err.message}`, { [field]: err.details ?? err.message, metaCode: err.subcode ?? err.code });
  }
}

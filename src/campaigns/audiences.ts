// Audiences prepared before a campaign is created (docs/campaigns.md "Audience"): a CSV the app page
// uploads through the iframe upload page (validated whole: a bad row → 422 naming the rows, nothing
// kept), or a HubSpot list read by the `campaigns.audience` job (too slow for one hubspot.fetch: 250
// members a page, 100 contacts a batch read, at the portal's HubSpot rate). A ready audience is taken
// once, by POST /api/v1/campaigns {audienceId}; an unused one is deleted after a day.
import { randomBytes } from 'node:crypto';
import type { PoolClient } from 'pg';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { AppError, forbidden, notFound, validation } from '../errors.js';
import type { JobContext } from '../jobs/queue.js';
import { linkToken, verifyLinkToken } from '../media/link-tokens.js';
import type { ContactLists } from '../seams.js';
import { MAX_RECIPIENTS, recipientsFromCsv, sampleCsv, validateAudience, type AudienceRow } from './audience.js';
import { audienceFromList, checkListSpec, listProperties } from './list-audience.js';
import type { ResolveTarget } from './target.js';
import type { Caller } from './service.js';

export const AUDIENCE_QUEUE = 'campaigns.audience';
export const AUDIENCE_JOB_RETRIES = 4;
const AUDIENCE_TTL_MS = 24 * 60 * 60_000;
/** The upload page's link: short-lived like the card's attachment links; its own signing purpose. */
export const CSV_LINK_TTL_MS = 10 * 60_000;
const LINK_PURPOSE = 'campaign-csv';

export interface AudienceDbRow {
  id: number;
  portal_id: number;
  user_id: number;
  phone_number_id: string;
  template_name: string;
  language: string;
  source: 'csv' | 'hubspot_list';
  list_id: string | null;
  list_name: string | null;
  parameters: string[] | null;
  header_media_url: string | null;
  status: 'awaiting_upload' | 'loading' | 'ready' | 'failed' | 'used';
  rows: AudienceRow[] | null;
  total: number;
  excluded: Record<string, number>;
  progress: { read: number; total: number | null } | null;
  error: { code: string; message: string } | null;
  filename: string | null;
  upload_link_id: string | null;
  upload_expires_at: Date | null;
  campaign_id: number | null;
  expires_at: Date;
}

const CreateSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('csv'), phoneNumberId: z.string().min(1), templateName: z.string().min(1), language: z.string().min(1) }),
  z.object({
    source: z.literal('hubspot_list'),
    phoneNumberId: z.string().min(1),
    templateName: z.string().min(1),
    language: z.string().min(1),
    listId: z.string().regex(/^\d{1,20}$/, 'a HubSpot list id (digits)'),
    parameters: z.array(z.string()).default([]),
    headerMediaUrl: z.string().optional(),
  }),
]);

export function audienceJson(a: AudienceDbRow) {
  return {
    id: Number(a.id),
    source: a.source,
    status: a.status,
    phoneNumberId: a.phone_number_id,
    templateName: a.template_name,
    language: a.language,
    listId: a.list_id,
    listName: a.list_name,
    filename: a.filename,
    total: a.total,
    excluded: a.excluded,
    progress: a.progress,
    error: a.error,
    campaignId: a.campaign_id === null ? null : Number(a.campaign_id),
    expiresAt: a.expires_at.toISOString(),
  };
}

export interface AudienceDeps {
  ctx: AppContext;
  resolve: ResolveTarget;
  isAdmin(portalId: number, userId: number): Promise<boolean>;
  /** Signs the upload page's links (derived from the app's encryption key, for these links only). */
  key: Buffer;
  /** HubSpot lists; absent when the HubSpot domain is off. */
  lists?: ContactLists;
}

export class AudienceService {
  constructor(private readonly d: AudienceDeps) {}

  private get ctx() {
    return this.d.ctx;
  }

  /** A CSV audience waiting for its upload (and the single-use link to the upload page), or a list being read. */
  async create(caller: Caller, body: unknown) {
    if (!(await this.d.isAdmin(caller.portalId, caller.userId))) throw forbidden('Only an admin of the app can prepare campaigns');
    const b = CreateSchema.parse(body);
    const { template } = await this.d.resolve(caller.portalId, b.phoneNumberId, b.templateName, b.language);
    const expiresAt = new Date(this.ctx.clock.now().getTime() + AUDIENCE_TTL_MS);
    const insert = (c: Pick<PoolClient, 'query'>, status: AudienceDbRow['status'], list: { id: string; parameters: string[]; url: string | null } | null, link?: { id: string; exp: number }) =>
      c.query<AudienceDbRow>(
        `INSERT INTO campaign_audiences (portal_id, user_id, phone_number_id, template_name, language, source, list_id, parameters, header_media_url, status, expires_at,
                                         upload_link_id, upload_expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13) RETURNING *`,
        [
          caller.portalId, caller.userId, b.phoneNumberId, template.name, template.language, b.source, list?.id ?? null, list ? JSON.stringify(list.parameters) : null,
          list?.url ?? null, status, expiresAt, link?.id ?? null, link ? new Date(link.exp) : null,
        ],
      );
    if (b.source === 'csv') {
      const link = { id: randomBytes(18).toString('base64url'), exp: this.ctx.clock.now().getTime() + CSV_LINK_TTL_MS };
      const a = (await insert(this.ctx.db.pool, 'awaiting_upload', null, link)).rows[0]!;
      const base = this.ctx.config.publicBaseUrl.replace(/\/+$/, '');
      const upload = { url: `${base}/upload/audience/${linkToken(this.d.key, LINK_PURPOSE, link.id, link.exp)}`, expiresAt: new Date(link.exp).toISOString() };
      return { audience: audienceJson(a), upload };
    }
    if (!this.d.lists) throw new AppError(409, 'HUBSPOT_NOT_CONNECTED', 'HubSpot lists need the app connected to HubSpot');
    checkListSpec({ parameters: b.parameters, headerMediaUrl: b.headerMediaUrl }, template);
    const a = await this.ctx.db.tx(async (c) => {
      const row = (await insert(c, 'loading', { id: b.listId, parameters: b.parameters, url: b.headerMediaUrl ?? null })).rows[0]!;
      await this.ctx.jobs.send(AUDIENCE_QUEUE, { audienceId: Number(row.id) }, { client: c });
      return row;
    });
    return { audience: audienceJson(a) };
  }

  private async row(portalId: number, id: number): Promise<AudienceDbRow | undefined> {
    return (await this.ctx.db.query<AudienceDbRow>(`SELECT * FROM campaign_audiences WHERE id = $1 AND portal_id = $2`, [id, portalId])).rows[0];
  }

  async get(portalId: number, rawId: string) {
    const a = /^\d{1,18}$/.test(rawId) ? await this.row(portalId, Number(rawId)) : undefined;
    if (!a) throw notFound(`Audience ${rawId} not found`);
    return { audience: audienceJson(a) };
  }

  /** The audience behind a still usable upload link (valid signature, not expired, no file yet), or null. */
  async peek(token: string): Promise<AudienceDbRow | null> {
    const now = this.ctx.clock.now();
    const linkId = verifyLinkToken(this.d.key, LINK_PURPOSE, token, now.getTime());
    if (!linkId) return null;
    const r = await this.ctx.db.query<AudienceDbRow>(
      `SELECT * FROM campaign_audiences WHERE upload_link_id = $1 AND status = 'awaiting_upload' AND upload_expires_at > $2`,
      [linkId, now],
    );
    return r.rows[0] ?? null;
  }

  async sampleFor(a: AudienceDbRow): Promise<string> {
    return sampleCsv((await this.d.resolve(a.portal_id, a.phone_number_id, a.template_name, a.language)).template);
  }

  /** Every row of the file checked against the audience's template: 422 naming the rows, nothing kept. */
  async checkCsv(a: AudienceDbRow, text: string): Promise<AudienceRow[]> {
    const { number, template } = await this.d.resolve(a.portal_id, a.phone_number_id, a.template_name, a.language);
    return validateAudience(recipientsFromCsv(text, template), template, number.display_phone_number);
  }

  /** The checked rows kept; the link is used up by this (one upload wins). */
  async storeCsv(a: AudienceDbRow, rows: AudienceRow[], filename: string) {
    const r = await this.ctx.db.query<AudienceDbRow>(
      `UPDATE campaign_audiences SET status = 'ready', rows = $2::jsonb, total = $3, filename = $4, updated_at = now()
        WHERE id = $1 AND status = 'awaiting_upload' AND upload_expires_at > $5 RETURNING *`,
      [a.id, JSON.stringify(rows), rows.length, filename.slice(0, 240), this.ctx.clock.now()],
    );
    if (!r.rows[0]) throw new AppError(410, 'LINK_EXPIRED', 'This upload link has expired or was already used. Close this window and try again.');
    return { audience: audienceJson(r.rows[0]) };
  }

  /** The `campaigns.audience` job: reads the list from HubSpot and stores its rows (or why it could not). */
  async load(id: number, job: JobContext): Promise<void> {
    const a = (await this.ctx.db.query<AudienceDbRow>(`SELECT * FROM campaign_audiences WHERE id = $1 AND status = 'loading'`, [id])).rows[0];
    if (!a || !this.d.lists) return;
    const fail = (code: string, message: string) =>
      this.ctx.db.query(`UPDATE campaign_audiences SET status = 'failed', error = $2::jsonb, updated_at = now() WHERE id = $1 AND status = 'loading'`, [id, JSON.stringify({ code, message })]);
    try {
      const { number, template } = await this.d.resolve(a.portal_id, a.phone_number_id, a.template_name, a.language);
      const spec = { parameters: a.parameters ?? [], headerMediaUrl: a.header_media_url };
      const progress = (read: number, total: number | null) =>
        void this.ctx.db.query(`UPDATE campaign_audiences SET progress = $2::jsonb WHERE id = $1`, [id, JSON.stringify({ read, total })]).catch(() => undefined);
      const { list, members } = await this.d.lists.readContactList(a.portal_id, a.list_id!, listProperties(spec), progress);
      if (!members.length) return void (await fail('LIST_EMPTY', `The HubSpot list "${list.name}" has no contacts`));
      if (members.length > MAX_RECIPIENTS) return void (await fail('VALIDATION', `The HubSpot list "${list.name}" has more than ${MAX_RECIPIENTS} contacts: split it`));
      const { rows, excluded } = audienceFromList(members, spec, template, number.display_phone_number);
      await this.ctx.db.query(
        `UPDATE campaign_audiences SET status = 'ready', rows = $2::jsonb, total = $3, excluded = $4::jsonb, list_name = $5, progress = NULL, updated_at = now()
          WHERE id = $1 AND status = 'loading'`,
        [id, JSON.stringify(rows), rows.length, JSON.stringify(excluded), list.name],
      );
    } catch (err) {
      if (err instanceof AppError) return void (await fail(err.code, err.message));
      if ((err as Error)?.name === 'PortalNotConnectedError') return void (await fail('HUBSPOT_NOT_CONNECTED', 'The app is not connected to this HubSpot account: reinstall it to reconnect.'));
      if (job.retryCount >= AUDIENCE_JOB_RETRIES) return void (await fail('HUBSPOT_UNAVAILABLE', 'HubSpot did not answer; try again in a few minutes.'));
      throw err;
    }
  }

  /**
   * A ready audience's rows, taken by the campaign being created (in its transaction): once only,
   * and only for the number and template it was checked against.
   */
  async take(c: PoolClient, portalId: number, id: number, want: { phoneNumberId: string; templateName: string; language: string }): Promise<AudienceRow[]> {
    const a = (await c.query<AudienceDbRow>(`SELECT * FROM campaign_audiences WHERE id = $1 AND portal_id = $2 FOR UPDATE`, [id, portalId])).rows[0];
    if (!a) throw validation(`audienceId: audience ${id} not found (it expires a day after it was prepared)`, { audienceId: 'unknown audience' });
    if (a.status === 'used') throw new AppError(409, 'AUDIENCE_USED', `Audience ${id} was already used by campaign ${a.campaign_id ?? ''}`.trim());
    if (a.status !== 'ready') {
      const why = a.status === 'failed' ? `: ${a.error?.message ?? 'it failed'}` : a.status === 'loading' ? ': the HubSpot list is still being read' : ': no file was uploaded';
      throw new AppError(409, 'AUDIENCE_NOT_READY', `Audience ${id} is not ready${why}`);
    }
    if (a.phone_number_id !== want.phoneNumberId || a.template_name !== want.templateName || a.language !== want.language) {
      throw validation(`audienceId: audience ${id} was checked for template ${a.template_name} (${a.language}) on number ${a.phone_number_id}`, { audienceId: 'prepared for another template or number' });
    }
    await c.query(`UPDATE campaign_audiences SET status = 'used', rows = NULL, updated_at = now() WHERE id = $1`, [id]);
    return a.rows ?? [];
  }

  async markUsedBy(c: PoolClient, id: number, campaignId: number): Promise<void> {
    await c.query(`UPDATE campaign_audiences SET campaign_id = $2 WHERE id = $1`, [id, campaignId]);
  }

  /** Scheduler: audiences past their day go (with the phones and values they hold). */
  async purgeExpired(): Promise<void> {
    await this.ctx.db.query(`DELETE FROM campaign_audiences WHERE expires_at < $1`, [this.ctx.clock.now()]);
  }

  searchLists(portalId: number, query: unknown) {
    if (!this.d.lists) throw new AppError(409, 'HUBSPOT_NOT_CONNECTED', 'HubSpot lists need the app connected to HubSpot');
    const q = typeof query === 'string' ? query.slice(0, 100) : '';
    return this.d.lists.searchContactLists(portalId, q).then((lists) => ({ lists }));
  }
}

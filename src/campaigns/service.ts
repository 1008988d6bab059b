import { DateTime } from 'luxon';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { AppError, forbidden, notFound, validation } from '../errors.js';
import { headerMediaFormat } from '../templates/placeholders.js';
import { recipientsFromCsv, sampleCsv, validateAudience, type AudienceRow, type RecipientInput } from './audience.js';
import { toCsv } from './csv.js';
import { campaignCounts, getCampaign, insertCampaign, listCampaigns, recipientsPage, transition, type CampaignRow, type Counts, type PlanCheck } from './repo.js';
import { CAMPAIGN_RUN_QUEUE } from './runner.js';
import type { AudienceService } from './audiences.js';
import type { ResolveTarget } from './target.js';

export interface Caller {
  portalId: number;
  userId: number;
}

export interface CampaignServiceDeps {
  ctx: AppContext;
  timeZoneOf(portalId: number): Promise<string>;
  isAdmin(portalId: number, userId: number): Promise<boolean>;
  /** The number and approved template a campaign is for (target.ts). */
  resolve: ResolveTarget;
  /** Audiences prepared before the campaign (a CSV upload, a HubSpot list). */
  audiences: AudienceService;
  /** F24 (plan limits, another domain): recipients over the plan are skipped with PLAN_LIMIT. */
  planCheck?: PlanCheck;
}

const MIN_LEAD_MS = 5 * 60_000;
const WARN_LEAD_MS = 60 * 60_000;

const CreateSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    phoneNumberId: z.string().min(1),
    templateName: z.string().min(1),
    language: z.string().min(1),
    recipients: z
      .array(
        z.object({
          phone: z.union([z.string(), z.number()]).transform(String),
          parameters: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
          headerMediaUrl: z.string().optional(),
        }),
      )
      .optional(),
    csv: z.string().optional(),
    /** An audience prepared before (POST /api/v1/campaigns/audiences: a CSV upload or a HubSpot list). */
    audienceId: z.coerce.number().int().positive().optional(),
    optInAttested: z.boolean().optional(),
    scheduledAt: z.string().optional(),
  })
  .refine((b) => [b.recipients, b.csv, b.audienceId].filter((x) => x !== undefined).length === 1, {
    message: 'give one of recipients, csv or audienceId',
    path: ['recipients'],
  });

const RecipientsQuery = z.object({
  status: z.enum(['pending', 'sent', 'delivered', 'read', 'failed', 'skipped']).optional(),
  cursor: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export function campaignJson(c: CampaignRow, counts: Counts) {
  return {
    id: Number(c.id),
    name: c.name,
    status: c.status,
    phoneNumberId: c.phone_number_id,
    templateName: c.template_name,
    language: c.language,
    timeZone: c.time_zone,
    scheduledAt: c.scheduled_at?.toISOString() ?? null,
    startedAt: c.started_at?.toISOString() ?? null,
    finishedAt: c.finished_at?.toISOString() ?? null,
    optInAttested: c.opt_in_attested,
    counts,
  };
}

/** Campaign use cases behind the HTTP routes (docs/campaigns.md). */
export class CampaignService {
  constructor(private readonly d: CampaignServiceDeps) {}

  private get ctx() {
    return this.d.ctx;
  }

  private numberAndTemplate(portalId: number, phoneNumberId: string, name: string, language: string) {
    return this.d.resolve(portalId, phoneNumberId, name, language);
  }

  async create(caller: Caller, body: unknown) {
    if (!(await this.d.isAdmin(caller.portalId, caller.userId))) throw forbidden('Only an admin of the app can send campaigns');
    const b = CreateSchema.parse(body);
    const { number, template } = await this.numberAndTemplate(caller.portalId, b.phoneNumberId, b.templateName, b.language);
    let rows: AudienceRow[] | undefined;
    if (b.audienceId === undefined) {
      const inputs: RecipientInput[] = b.csv !== undefined ? recipientsFromCsv(b.csv, template) : b.recipients!;
      rows = validateAudience(inputs, template, number.display_phone_number);
    }
    const now = this.ctx.clock.now();
    const timeZone = await this.d.timeZoneOf(caller.portalId);
    const { scheduledAt, warnings } = this.schedule(b.scheduledAt, timeZone, now);
    const media = headerMediaFormat(template.components);
    const camp = await this.ctx.db.tx(async (c) => {
      const audience = rows ?? (await this.d.audiences.take(c, caller.portalId, b.audienceId!, { phoneNumberId: number.phone_number_id, templateName: template.name, language: template.language }));
      const row = await insertCampaign(
        c,
        {
          portalId: caller.portalId,
          userId: caller.userId,
          name: b.name,
          phoneNumberId: number.phone_number_id,
          templateName: template.name,
          language: template.language,
          headerMediaType: media === 'IMAGE' ? 'image' : media === 'VIDEO' ? 'video' : media === 'DOCUMENT' ? 'document' : null,
          scheduledAt,
          timeZone,
          optInAttested: b.optInAttested === true,
          now,
        },
        audience,
        this.d.planCheck,
      );
      if (b.audienceId !== undefined) await this.d.audiences.markUsedBy(c, b.audienceId, Number(row.id));
      if (!scheduledAt) await this.ctx.jobs.send(CAMPAIGN_RUN_QUEUE, { campaignId: Number(row.id) }, { client: c });
      return row;
    });
    this.ctx.logger.info({ portalId: caller.portalId, campaignId: camp.id, audienceId: b.audienceId, scheduledAt }, 'campaign created');
    return { campaign: await this.view(camp), warnings };
  }

  /** Now (undefined), or at least 5 minutes ahead; a time without an offset is in the portal's time zone. */
  private schedule(raw: string | undefined, timeZone: string, now: Date): { scheduledAt: Date | null; warnings: Array<{ code: string; message: string }> } {
    if (raw === undefined) return { scheduledAt: null, warnings: [] };
    const dt = DateTime.fromISO(raw, { zone: timeZone });
    if (!dt.isValid) throw validation('scheduledAt: must be an ISO date and time', { scheduledAt: 'must be an ISO date and time' });
    const at = dt.toJSDate();
    const lead = at.getTime() - now.getTime();
    if (lead < MIN_LEAD_MS) throw validation('scheduledAt: must be at least 5 minutes ahead', { scheduledAt: 'must be at least 5 minutes ahead' });
    const warnings = lead < WARN_LEAD_MS ? [{ code: 'SCHEDULED_SOON', message: 'Scheduled less than 1 hour ahead: schedule at least 1 hour ahead to avoid delays' }] : [];
    return { scheduledAt: at, warnings };
  }

  async view(c: CampaignRow) {
    const counts = (await campaignCounts(this.ctx.db.pool, [Number(c.id)])).get(Number(c.id))!;
    return campaignJson(c, counts);
  }

  private async mine(portalId: number, rawId: string): Promise<CampaignRow> {
    const id = Number(rawId);
    const c = Number.isSafeInteger(id) ? await getCampaign(this.ctx.db.pool, portalId, id) : undefined;
    if (!c) throw notFound(`Campaign ${rawId} not found`);
    return c;
  }

  async get(portalId: number, id: string) {
    return { campaign: await this.view(await this.mine(portalId, id)) };
  }

  async list(portalId: number) {
    const rows = await listCampaigns(this.ctx.db.pool, portalId);
    const counts = await campaignCounts(this.ctx.db.pool, rows.map((r) => Number(r.id)));
    return { campaigns: rows.map((r) => campaignJson(r, counts.get(Number(r.id))!)) };
  }

  async recipients(portalId: number, id: string, query: unknown) {
    const c = await this.mine(portalId, id);
    const q = RecipientsQuery.parse(query);
    const limit = q.limit ?? 100;
    const rows = await recipientsPage(this.ctx.db.pool, Number(c.id), { status: q.status, afterId: Number(q.cursor ?? 0), limit });
    return {
      recipients: rows.map((r) => ({
        phone: r.phone_e164,
        contactId: r.hubspot_contact_id,
        status: r.status,
        reason: r.status === 'failed' && r.error?.code !== undefined ? `${String(r.error.code)} ${String(r.error.title ?? '')}`.trim() : r.reason,
        messageId: r.message_id === null ? null : Number(r.message_id),
      })),
      nextCursor: rows.length === limit ? String(rows[rows.length - 1]!.id) : null,
    };
  }

  /** Every recipient's result, as a CSV (row, phone, HubSpot contact, status, reason). */
  async resultsCsv(portalId: number, id: string): Promise<string> {
    const c = await this.mine(portalId, id);
    const out: Array<Array<string | number | null>> = [['row', 'phone', 'hubspot_contact_id', 'status', 'reason', 'message_id']];
    for (let after = 0; ; ) {
      const page = await recipientsPage(this.ctx.db.pool, Number(c.id), { afterId: after, limit: 1000 });
      for (const r of page) {
        const reason = r.status === 'failed' && r.error?.code !== undefined ? `${String(r.error.code)} ${String(r.error.title ?? '')}`.trim() : r.reason;
        out.push([r.row_number + 1, r.phone_e164, r.hubspot_contact_id, r.status, reason, r.message_id]);
      }
      if (page.length < 1000) break;
      after = Number(page[page.length - 1]!.id);
    }
    return toCsv(out);
  }

  async sample(portalId: number, query: Record<string, unknown>): Promise<string> {
    const s = (k: string) => (typeof query[k] === 'string' && query[k] ? (query[k] as string) : undefined);
    const phoneNumberId = s('phoneNumberId');
    const name = s('templateName');
    const language = s('language');
    if (!phoneNumberId || !name || !language) throw validation('phoneNumberId, templateName and language are required', { phoneNumberId: 'required', templateName: 'required', language: 'required' });
    const { template } = await this.numberAndTemplate(portalId, phoneNumberId, name, language);
    return sampleCsv(template);
  }

  async pause(caller: Caller, id: string) {
    return this.change(caller, id, ['running', 'scheduled'], 'paused');
  }

  async resume(caller: Caller, id: string) {
    const c = await this.mine(caller.portalId, id);
    // A paused campaign whose time has not come yet goes back to waiting for it.
    const to = c.scheduled_at && c.scheduled_at > this.ctx.clock.now() ? 'scheduled' : 'running';
    const out = await this.change(caller, id, ['paused'], to);
    if (to === 'running') await this.ctx.jobs.send(CAMPAIGN_RUN_QUEUE, { campaignId: Number(c.id) });
    return out;
  }

  async cancel(caller: Caller, id: string) {
    const out = await this.change(caller, id, ['running', 'scheduled', 'paused'], 'cancelled');
    await this.ctx.db.query(`UPDATE campaign_recipients SET state = 'skipped', reason = 'CANCELLED', updated_at = now() WHERE campaign_id = $1 AND state = 'pending'`, [
      out.campaign.id,
    ]);
    return { campaign: await this.view((await getCampaign(this.ctx.db.pool, caller.portalId, out.campaign.id))!) };
  }

  private async change(caller: Caller, id: string, from: CampaignRow['status'][], to: CampaignRow['status']) {
    if (!(await this.d.isAdmin(caller.portalId, caller.userId))) throw forbidden('Only an admin of the app can change campaigns');
    const c = await this.mine(caller.portalId, id);
    const row = await transition(this.ctx.db.pool, caller.portalId, Number(c.id), from, to, this.ctx.clock.now());
    if (!row) throw new AppError(409, 'CAMPAIGN_STATE', `The campaign is ${c.status}; it cannot be ${to === 'running' || to === 'scheduled' ? 'resumed' : to}`);
    return { campaign: await this.view(row) };
  }

  /** Scheduler: starts every campaign whose time has come (on the app's clock). */
  async startDue(): Promise<number> {
    const now = this.ctx.clock.now();
    const r = await this.ctx.db.query<{ id: number }>(
      `UPDATE campaigns SET status = 'running', started_at = $1, updated_at = $1 WHERE status = 'scheduled' AND scheduled_at <= $1 RETURNING id`,
      [now],
    );
    for (const { id } of r.rows) await this.ctx.jobs.send(CAMPAIGN_RUN_QUEUE, { campaignId: Number(id) });
    return r.rowCount ?? 0;
  }

  /** Scheduler: a running campaign whose runner died (lease lapsed) gets a new run job. */
  async watchdog(): Promise<void> {
    const r = await this.ctx.db.query<{ id: number }>(
      `SELECT id FROM campaigns WHERE status = 'running' AND (runner_until IS NULL OR runner_until < now() - interval '5 seconds')`,
    );
    for (const { id } of r.rows) await this.ctx.jobs.send(CAMPAIGN_RUN_QUEUE, { campaignId: Number(id) });
  }
}

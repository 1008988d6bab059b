import type { Request, Response, Router } from 'express';
import type { AppContext, Domain } from '../app-context.js';
import { forbidden } from '../errors.js';
import { idempotent } from '../http/api-idempotency.js';
import { callerOf, requireHubSpotSignature } from '../http/signed-request.js';
import type { HubSpotService } from '../hubspot/index.js';
import type { AdminCheck } from '../seams.js';
import { createHmac } from 'node:crypto';
import { resolveEncryptionKey } from '../security/encryption.js';
import { TemplateAuthoring } from './authoring.js';
import { registerSampleRoutes, TemplateSamples } from './sample-upload.js';
import { TemplateManagementApi } from './meta-api.js';
import { templateJson } from './present.js';
import { drainRejectionNotices, type AdminTaskPort } from './review-notices.js';

const SAMPLE_RETENTION_MS = 30 * 24 * 60 * 60_000;

export interface TemplatesOptions {
  /** How often pending rejection notices become HubSpot tasks (default every minute). */
  noticeEveryMs?: number;
}

/** The admin's HubSpot owner: the installer's agent row, else the owner of the installer's user. */
export function adminTasks(ctx: AppContext, hubspot: Pick<HubSpotService, 'owners' | 'core'>): AdminTaskPort {
  return {
    async adminOwnerId(portalId) {
      const r = await ctx.db.query<{ installed_by_user_id: number | null; owner_id: string | null }>(
        `SELECT p.installed_by_user_id, a.owner_id FROM portals p LEFT JOIN agents a ON a.portal_id = p.id AND a.user_id = p.installed_by_user_id WHERE p.id = $1`,
        [portalId],
      );
      const row = r.rows[0];
      if (row?.owner_id) return row.owner_id;
      if (!row?.installed_by_user_id) return null;
      const owners = await hubspot.owners(portalId);
      const o = owners.find((x) => x.userId === row.installed_by_user_id);
      return o ? o.ownerId : null;
    },
    async createTask(portalId, properties) {
      return (await hubspot.core.client(portalId).createTask(properties, [])).id;
    },
  };
}

function registerRoutes(ctx: AppContext, router: Router, t: { authoring: TemplateAuthoring; samples: TemplateSamples }, admins: AdminCheck): void {
  const { authoring } = t;
  const signed = requireHubSpotSignature(ctx);
  const once = idempotent(ctx);
  const caller = async (req: Request) => {
    const { portalId, userId } = callerOf(req);
    if (!(await admins.isAdmin(portalId, userId))) throw forbidden('Only an admin of the app can create or delete templates');
    return { portalId, userId };
  };
  const admin = async (req: Request) => (await caller(req)).portalId;
  registerSampleRoutes(router, { samples: t.samples, signed, once, admin: caller, frameAncestors: ctx.config.frameAncestors });
  router.post('/api/v1/templates', signed, once, async (req: Request, res: Response) => {
    const portalId = await admin(req);
    res.status(201).json({ template: templateJson(await authoring.create(portalId, req.body)) });
  });
  router.delete('/api/v1/templates/:name', signed, once, async (req: Request, res: Response) => {
    const portalId = await admin(req);
    await authoring.remove(portalId, req.query.phoneNumberId, String(req.params.name));
    res.status(204).end();
  });
}

export interface TemplatesDeps {
  admins: AdminCheck;
  /** Rejection notices become HubSpot tasks for the admin; none without it. */
  hubspot?: AdminTaskPort;
}

/** F5 template authoring: POST/DELETE /api/v1/templates and the admin's rejection tasks. */
export class TemplatesService implements Domain {
  readonly name = 'templates';
  readonly authoring: TemplateAuthoring;
  /** Example files of media headers uploaded from the Templates page. */
  readonly samples: TemplateSamples;

  constructor(
    private readonly ctx: AppContext,
    private readonly deps: TemplatesDeps,
    private readonly opts: TemplatesOptions = {},
  ) {
    const meta = new TemplateManagementApi(ctx.config.whatsapp);
    const tokenOf = (n: { access_token_enc: string }) => ctx.secrets.decrypt(n.access_token_enc);
    // Its own key, derived from the app's encryption key, so an upload link is good for nothing else.
    const key = createHmac('sha256', Buffer.from(resolveEncryptionKey(ctx.config.encryptionKey, ctx.config.dataDir), 'base64')).update('template-samples').digest();
    this.samples = new TemplateSamples({ db: ctx.db, clock: ctx.clock, logger: ctx.logger, key, publicBaseUrl: ctx.config.publicBaseUrl, meta, tokenOf });
    this.authoring = new TemplateAuthoring({
      db: ctx.db,
      logger: ctx.logger,
      now: () => ctx.clock.now(),
      meta,
      tokenOf,
      sampleHandle: (portalId, wabaId, id, format) => this.samples.handleFor(portalId, wabaId, id, format),
    });
  }

  async defineJobs(): Promise<void> {
    const { ctx } = this;
    // Example files are for templates being written: a month later they go (upload again if needed).
    ctx.scheduler.add({
      name: 'templates.samples-retention',
      everyMs: 24 * 60 * 60_000,
      run: async () => void (await ctx.db.query('DELETE FROM template_samples WHERE created_at < $1', [new Date(ctx.clock.now().getTime() - SAMPLE_RETENTION_MS)])),
    });
    const hubspot = this.deps.hubspot;
    if (!hubspot) return;
    ctx.scheduler.add({
      name: 'templates.rejection-tasks',
      everyMs: this.opts.noticeEveryMs ?? 60_000,
      run: async () => void (await drainRejectionNotices({ db: ctx.db, logger: ctx.logger, now: () => ctx.clock.now(), hubspot })),
    });
  }

  mountRoutes(router: Router): void {
    registerRoutes(this.ctx, router, { authoring: this.authoring, samples: this.samples }, this.deps.admins);
  }
}

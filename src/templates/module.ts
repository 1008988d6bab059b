import type { Request, Response, Router } from 'express';
import type { AppContext, DomainModule } from '../app-context.js';
import { forbidden } from '../http/errors.js';
import { idempotent } from '../http/api-idempotency.js';
import { callerOf, requireHubSpotSignature } from '../http/signed-request.js';
import { hubspotApp, hubspotInternals } from '../hubspot/index.js';
import { settings } from '../settings/index.js';
import { TemplateAuthoring } from './authoring.js';
import { TemplateManagementApi } from './meta-api.js';
import { templateJson } from './present.js';
import { drainRejectionNotices, type AdminTaskPort } from './review-notices.js';

export interface TemplatesModuleOptions {
  /** How often pending rejection notices become HubSpot tasks (default every minute). */
  noticeEveryMs?: number;
}

/** The admin's HubSpot owner: the installer's agent row, else the owner of the installer's user. */
function adminTasks(ctx: AppContext): AdminTaskPort {
  return {
    async adminOwnerId(portalId) {
      const r = await ctx.db.query<{ installed_by_user_id: number | null; owner_id: string | null }>(
        `SELECT p.installed_by_user_id, a.owner_id FROM portals p LEFT JOIN agents a ON a.portal_id = p.id AND a.user_id = p.installed_by_user_id WHERE p.id = $1`,
        [portalId],
      );
      const row = r.rows[0];
      if (row?.owner_id) return row.owner_id;
      if (!row?.installed_by_user_id) return null;
      const owners = await hubspotApp(ctx).listOwners(portalId);
      const o = owners.find((x) => x.userId === row.installed_by_user_id);
      return o ? String(o.id) : null;
    },
    async createTask(portalId, properties) {
      return (await hubspotInternals(ctx).core.client(portalId).createTask(properties, [])).id;
    },
  };
}

function registerRoutes(ctx: AppContext, router: Router, authoring: TemplateAuthoring): void {
  const signed = requireHubSpotSignature(ctx);
  const once = idempotent(ctx);
  const admin = async (req: Request) => {
    const { portalId, userId } = callerOf(req);
    if (!(await settings(ctx).isAdmin(portalId, userId))) throw forbidden('Only an admin of the app can create or delete templates');
    return portalId;
  };
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

/** F5 template authoring: POST/DELETE /api/v1/templates and the admin's rejection tasks. */
export function createTemplatesModule(opts: TemplatesModuleOptions = {}): DomainModule {
  return {
    name: 'templates',
    register(ctx, router) {
      // ---- wiring (the one spot that reaches other domains) ----
      const authoring = new TemplateAuthoring({
        db: ctx.db,
        logger: ctx.logger,
        now: () => ctx.clock.now(),
        meta: new TemplateManagementApi(ctx.config.whatsapp),
        tokenOf: (n) => ctx.secrets.decrypt(n.access_token_enc),
      });
      const hubspot = adminTasks(ctx);
      // ---- end of wiring ----
      ctx.scheduler.add({
        name: 'templates.rejection-tasks',
        everyMs: opts.noticeEveryMs ?? 60_000,
        run: async () => void (await drainRejectionNotices({ db: ctx.db, logger: ctx.logger, now: () => ctx.clock.now(), hubspot })),
      });
      registerRoutes(ctx, router, authoring);
    },
  };
}

export const templatesModule: DomainModule = createTemplatesModule();

import type { Router } from 'express';
import type { AppContext } from '../app-context.js';
import { forbidden } from '../errors.js';
import { idempotent } from '../http/api-idempotency.js';
import { callerOf, requireHubSpotSignature } from '../http/signed-request.js';
import type { ContactDirectory } from '../seams.js';
import { agentByUser, listAgents, replaceAgents, toApiAgent } from './agents.js';
import type { SettingsService } from './settings-service.js';

/** Told when agents changed (the conversations domain hands over and drains). */
export interface AgentsChangedListener {
  agentsChanged(portalId: number, released: number[], actorUserId: number): Promise<void>;
}

export interface SettingsRouteDeps {
  settings: SettingsService;
  directory: ContactDirectory;
  agents?: AgentsChangedListener;
}

/** Settings, agents, owners and the caller (docs/extension-api.md). */
export function registerSettingsRoutes(ctx: AppContext, router: Router, d: SettingsRouteDeps): void {
  const signed = requireHubSpotSignature(ctx);
  const once = idempotent(ctx);
  const requireAdmin = async (portalId: number, userId: number) => {
    if (!(await d.settings.isAdmin(portalId, userId))) throw forbidden('Only an admin of this account can change these settings');
  };

  router.get('/api/v1/settings', signed, async (req, res) => {
    res.json(await d.settings.get(callerOf(req).portalId));
  });
  router.put('/api/v1/settings', signed, async (req, _res, next) => {
    const { portalId, userId } = callerOf(req);
    await requireAdmin(portalId, userId);
    next();
  }, once, async (req, res) => {
    res.json(await d.settings.put(callerOf(req).portalId, req.body));
  });

  router.get('/api/v1/agents', signed, async (req, res) => {
    res.json({ agents: (await listAgents(ctx.db.pool, callerOf(req).portalId)).map(toApiAgent) });
  });
  router.put('/api/v1/agents', signed, async (req, _res, next) => {
    const { portalId, userId } = callerOf(req);
    await requireAdmin(portalId, userId);
    next();
  }, once, async (req, res) => {
    const { portalId, userId } = callerOf(req);
    const settings = await d.settings.get(portalId);
    const change = await replaceAgents(ctx, portalId, req.body, settings.businessHours.timeZone);
    if (d.agents && (change.released.length || change.gainedAvailability)) {
      await d.agents.agentsChanged(portalId, change.released, userId).catch((err) => req.log?.error({ err }, 'reassignment after agents change failed'));
    }
    res.json({ agents: (await listAgents(ctx.db.pool, portalId)).map(toApiAgent) });
  });

  router.get('/api/v1/owners', signed, async (req, res) => {
    const owners = await d.directory.owners(callerOf(req).portalId);
    res.json({ owners });
  });

  router.get('/api/v1/me', signed, async (req, res) => {
    const { portalId, userId } = callerOf(req);
    const agent = await agentByUser(ctx.db.pool, portalId, userId);
    let ownerId = agent?.owner_id ?? null;
    if (!ownerId) {
      const owners = await d.directory.owners(portalId).catch(() => []);
      ownerId = owners.find((o) => o.userId === userId)?.ownerId ?? null;
    }
    res.json({ userId, ownerId, agent: agent ? toApiAgent(agent) : null, isAdmin: await d.settings.isAdmin(portalId, userId) });
  });
}

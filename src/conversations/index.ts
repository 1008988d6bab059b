import type { Router } from 'express';
import type { AppContext, DomainModule } from '../app-context.js';
import { registerConversationRoutes } from '../http/api-conversations.js';
import { registerSettingsRoutes } from '../http/api-settings.js';
import { settings as settingsOf, SettingsService } from '../settings/index.js';
import { ConversationActions } from './actions.js';
import { drainPortal, releaseConversations } from './assignment.js';
import type { Deps } from './deps.js';
import { handleInbound, INBOUND_QUEUE } from './inbound.js';
import { defineSendJob } from './outbound.js';
import { closeEndOfDay, flagUrgent, rebalance, schedulePeriodic } from './periodic.js';
import { defaultPorts, type Ports } from './ports.js';

export type { Ports, OutboundRequest, OutboundContent, TaskRequest, OwnerInfo, ConsentMirror } from './ports.js';
export type { ConversationRow, MessageRow } from './types.js';
export { ConversationActions, type Caller } from './actions.js';

const KEY = 'conversations';
const STATUS_QUEUE = 'conversations.status';

/** The conversations service other domains (dashboard, campaigns) and tests use. */
export class ConversationsService {
  readonly actions: ConversationActions;
  constructor(readonly deps: Deps) {
    this.actions = new ConversationActions(deps);
  }
  handleInbound(messageId: number) {
    return handleInbound(this.deps, messageId);
  }
  /** Waiting conversations to available agents, oldest first. */
  drain(portalId: number) {
    return drainPortal(this.deps, portalId);
  }
  /** Hands over conversations of agents who can no longer hold them, then drains. */
  rebalance(portalId: number) {
    return rebalance(this.deps, portalId);
  }
  closeEndOfDay(portalId: number) {
    return closeEndOfDay(this.deps, portalId);
  }
  flagUrgent(portalId: number) {
    return flagUrgent(this.deps, portalId);
  }
}

export function conversations(ctx: AppContext): ConversationsService {
  const s = ctx.services[KEY];
  if (!s) throw new Error('the conversations module is not registered');
  return s as ConversationsService;
}

/**
 * The conversations domain: consent bot, opt-out, routing, lifecycle, window, business hours,
 * transfer, notifications, and the extension API the card and settings page call. Registers after
 * the WhatsApp and HubSpot modules (and the settings module). `ports` replaces the other domains in tests.
 */
export function createConversationsModule(opts: { ports?: (ctx: AppContext) => Ports } = {}): DomainModule {
  return {
    name: 'conversations',
    async register(ctx: AppContext, router: Router) {
      if (!ctx.services.settings) ctx.services.settings = new SettingsService(ctx);
      const d: Deps = { ctx, ports: (opts.ports ?? defaultPorts)(ctx), settings: settingsOf(ctx) };
      const service = new ConversationsService(d);
      ctx.services[KEY] = service;

      await defineSendJob(d);
      await ctx.jobs.define<{ messageId: number }>({
        name: INBOUND_QUEUE,
        retryLimit: 8,
        retryDelaySeconds: 1,
        // I/O-bound (a job is mostly waiting on PostgreSQL): 2 workers capped one instance at ~7 new customers/s (docs/scaling.md).
        concurrency: 8,
        handler: (data) => handleInbound(d, data.messageId),
      });
      ctx.events.subscribe('message.inbound', INBOUND_QUEUE);

      // Meta's 131047 (re-engagement) is authoritative: the window is closed whatever our clock says.
      await ctx.jobs.define<{ messageId: number; status: string }>({
        name: STATUS_QUEUE,
        concurrency: 1,
        handler: async ({ messageId, status }) => {
          if (status !== 'failed') return;
          const m = await ctx.db.query<{ conversation_id: number | null; error: { code?: unknown } | null }>(
            'SELECT conversation_id, error FROM messages WHERE id = $1',
            [messageId],
          );
          const row = m.rows[0];
          if (!row?.conversation_id || String(row.error?.code) !== '131047') return;
          const now = ctx.clock.now();
          await ctx.db.query(
            `UPDATE conversations SET window_expires_at = LEAST(COALESCE(window_expires_at, $2), $2), urgent = false, updated_at = $2 WHERE id = $1`,
            [row.conversation_id, now],
          );
        },
      });
      // Only failures matter here: sent/delivered/read (two or three per message) cost no job.
      ctx.events.subscribe('message.status', STATUS_QUEUE, (e) => e.status === 'failed');

      schedulePeriodic(d);

      registerConversationRoutes(ctx, router, service.actions);
      registerSettingsRoutes(ctx, router, {
        settings: d.settings,
        ports: d.ports,
        afterAgentsChanged: async (portalId, released, actorUserId) => {
          await releaseConversations(d, portalId, released, actorUserId);
          await drainPortal(d, portalId);
          ctx.events.notify('conversation.assigned');
        },
      });
    },
  };
}

export const conversationsModule = createConversationsModule();

import type { Router } from 'express';
import type { AppContext, Domain } from '../app-context.js';
import type { AgentsChangedListener } from '../settings/index.js';
import { ConversationActions } from './actions.js';
import { RepSends } from './rep-send.js';
import { drainPortal, releaseConversations } from './assignment.js';
import type { ConversationDeps } from './deps.js';
import { handleInbound, INBOUND_QUEUE } from './inbound.js';
import { defineSendJob } from './outbound.js';
import { closeEndOfDay, flagUrgent, rebalance, schedulePeriodic } from './periodic.js';
import { registerConversationRoutes } from './routes.js';
import { closeWindowOnReengagementError } from './window.js';

const STATUS_QUEUE = 'conversations.status';

/**
 * The conversations domain: inbound turns (which call the consent bot, src/consent/bot.ts), routing,
 * lifecycle, window, business hours, transfer, notifications, and the extension API the card and
 * settings page call.
 */
export class ConversationsService implements Domain, AgentsChangedListener {
  readonly name = 'conversations';
  readonly actions: ConversationActions;
  /** A rep's sends from the card: text, attachment, template. */
  readonly sends: RepSends;

  constructor(readonly deps: ConversationDeps) {
    this.actions = new ConversationActions(deps);
    this.sends = new RepSends(deps);
  }

  private get ctx(): AppContext {
    return this.deps.ctx;
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

  async agentsChanged(portalId: number, released: number[], actorUserId: number): Promise<void> {
    await releaseConversations(this.deps, portalId, released, actorUserId);
    await drainPortal(this.deps, portalId);
  }

  async defineJobs(): Promise<void> {
    const { ctx } = this;
    await defineSendJob(this.deps);
    await ctx.jobs.define<{ messageId: number }>({
      name: INBOUND_QUEUE,
      retryLimit: 8,
      retryDelaySeconds: 1,
      // I/O-bound (a job is mostly waiting on PostgreSQL): 2 workers capped one instance at ~7 new customers/s (docs/scaling.md).
      concurrency: 8,
      handler: (data) => handleInbound(this.deps, data.messageId),
    });
    ctx.events.subscribe('message.inbound', INBOUND_QUEUE);
    await ctx.jobs.define<{ messageId: number; status: string }>({
      name: STATUS_QUEUE,
      concurrency: 1,
      handler: async ({ messageId, status }) => {
        if (status === 'failed') await closeWindowOnReengagementError(ctx.db.pool, messageId, ctx.clock.now());
      },
    });
    // Only failures matter here: sent/delivered/read (two or three per message) cost no job.
    ctx.events.subscribe('message.status', STATUS_QUEUE, (e) => e.status === 'failed');
    schedulePeriodic(this.deps);
  }

  mountRoutes(router: Router): void {
    registerConversationRoutes(this.ctx, router, this.actions, this.sends);
  }
}

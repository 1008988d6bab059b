import { afterCommit, type Queryable } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { JobQueue } from './queue.js';

/**
 * Domain events, delivered durably: each subscriber is a job queue, and emitting sends one job
 * to every subscribed queue (inside the caller's transaction when `client` is given), so a
 * domain reacts to another without importing it and nothing is lost if a process dies.
 */
export interface EventMap {
  /** A new customer message was stored (once per wamid). */
  'message.inbound': { messageId: number; portalId: number };
  /** A business message was stored (agent, bot, system or campaign). */
  'message.outbound': { messageId: number; portalId: number };
  /** An outbound message's status moved forward (sent, delivered, read, failed). */
  'message.status': { messageId: number; status: string };
  /** A contact's consent or opt-out changed. */
  'contact.consent': { contactId: number };
  /** A conversation was assigned to an agent (or reassigned). */
  'conversation.assigned': { conversationId: number; agentId: number };
}

export type EventName = keyof EventMap;

type Wake<E extends EventName> = (data: EventMap[E]) => Promise<void> | void;

export class DomainEvents {
  private readonly subscribers = new Map<EventName, string[]>();
  /** Optional per-queue filter: an event the subscriber would ignore costs no job (bench:pipeline). */
  private readonly filters = new Map<string, (data: never) => boolean>();
  private readonly wakes = new Map<EventName, Array<Wake<never>>>();

  constructor(
    private readonly jobs: JobQueue,
    private readonly logger?: Logger,
  ) {}

  /**
   * A wake-up after the emitting transaction commits, not durable work: for a subscriber whose work
   * is already stored (an outbox the event's rows are part of) and swept periodically, so a wake
   * lost to a crash only delays it. Seen after commit, the rows are visible to whatever it wakes.
   */
  onCommitted<E extends EventName>(event: E, wake: Wake<E>): void {
    this.wakes.set(event, [...(this.wakes.get(event) ?? []), wake as Wake<never>]);
  }

  /** `queue` must be defined with ctx.jobs.define by the subscribing module. */
  subscribe<E extends EventName>(event: E, queue: string, only?: (data: EventMap[E]) => boolean): void {
    if (only) this.filters.set(`${event}>${queue}`, only as (data: never) => boolean);
    const list = this.subscribers.get(event) ?? [];
    if (!list.includes(queue)) list.push(queue);
    this.subscribers.set(event, list);
  }

  /** The subscribed queues this event's data enqueues a job on (their filters let it through). */
  private queuesFor<E extends EventName>(event: E, data: EventMap[E]): string[] {
    return (this.subscribers.get(event) ?? []).filter((queue) => this.filters.get(`${event}>${queue}`)?.(data as never) !== false);
  }

  /** Whether emitting this event enqueues a job (a durable subscriber that does not filter it out). */
  enqueuesJobs<E extends EventName>(event: E, data: EventMap[E]): boolean {
    return this.queuesFor(event, data).length > 0;
  }

  async emit<E extends EventName>(event: E, data: EventMap[E], opts: { client?: Queryable; singletonKey?: string; fairKey?: string } = {}): Promise<void> {
    for (const queue of this.queuesFor(event, data)) await this.jobs.send(queue, data as object, opts);
    for (const wake of this.wakes.get(event) ?? []) {
      const run = () =>
        void Promise.resolve()
          .then(() => wake(data as never))
          .catch((err: unknown) => this.logger?.warn({ err, event }, 'wake-up after commit failed (the periodic sweep picks the work up)'));
      if (opts.client) afterCommit(opts.client, run);
      else run();
    }
  }
}

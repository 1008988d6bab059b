import type { Queryable } from '../db/database.js';
import type { JobQueue } from './queue.js';

/**
 * Domain events, delivered durably: each subscriber is a job queue, and emitting sends one job
 * to every subscribed queue (inside the caller's transaction when `client` is given), so a
 * domain reacts to another without importing it and nothing is lost if a process dies.
 */
export interface EventMap {
  /** A new customer message was stored (once per wamid). */
  'message.inbound': { messageId: number };
  /** A business message was stored (agent, bot, system or campaign). */
  'message.outbound': { messageId: number };
  /** An outbound message's status moved forward (sent, delivered, read, failed). */
  'message.status': { messageId: number; status: string };
  /** A contact's consent or opt-out changed. */
  'contact.consent': { contactId: number };
  /** A conversation was assigned to an agent (or reassigned). */
  'conversation.assigned': { conversationId: number; agentId: number };
}

export type EventName = keyof EventMap;

export class DomainEvents {
  private readonly subscribers = new Map<EventName, string[]>();
  /** Optional per-queue filter: an event the subscriber would ignore costs no job (bench:pipeline). */
  private readonly filters = new Map<string, (data: never) => boolean>();

  constructor(private readonly jobs: JobQueue) {}

  /** `queue` must be defined with ctx.jobs.define by the subscribing module. */
  subscribe<E extends EventName>(event: E, queue: string, only?: (data: EventMap[E]) => boolean): void {
    if (only) this.filters.set(`${event}>${queue}`, only as (data: never) => boolean);
    const list = this.subscribers.get(event) ?? [];
    if (!list.includes(queue)) list.push(queue);
    this.subscribers.set(event, list);
  }

  async emit<E extends EventName>(event: E, data: EventMap[E], opts: { client?: Queryable; singletonKey?: string; fairKey?: string } = {}): Promise<void> {
    for (const queue of this.subscribers.get(event) ?? []) {
      if (this.filters.get(`${event}>${queue}`)?.(data as never) === false) continue;
      await this.jobs.send(queue, data as object, opts);
    }
  }
}

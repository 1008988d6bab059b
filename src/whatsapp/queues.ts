import type { AppContext } from '../app-context.js';
import type { EventName } from '../jobs/events.js';

const warmed = new WeakMap<object, Set<string>>();

/**
 * pg-boss looks a queue up (through the pool) the first time something is sent to it, and only
 * refreshes its queue cache every 60 s. Inside a transaction on the embedded database (one
 * session) that lookup would wait for the transaction itself, so before opening one we make sure
 * every queue it will send to — ours and the subscribers of the events it emits — is cached.
 */
export async function warmQueues(ctx: AppContext, queues: string[], events: EventName[] = []): Promise<void> {
  let done = warmed.get(ctx.jobs);
  if (!done) warmed.set(ctx.jobs, (done = new Set()));
  const subscribers = (ctx.events as unknown as { subscribers?: Map<string, string[]> }).subscribers;
  const names = [...queues, ...events.flatMap((e) => subscribers?.get(e) ?? [])];
  for (const name of names) {
    if (done.has(name)) continue;
    try {
      await ctx.jobs.boss.getQueueStats(name);
      done.add(name);
    } catch {
      // not created yet (the module defining it has not started): the send itself will report it
    }
  }
}

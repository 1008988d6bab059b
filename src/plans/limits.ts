import { DateTime } from 'luxon';
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors.js';
import { claimThresholds } from './notices.js';
import { planOf } from './plan.js';
import { activeContacts, isActiveContact, monthOf, seatsUsed, timeZoneOf } from './usage.js';

type PlanCtx = Pick<AppContext, 'db' | 'config' | 'clock'>;

const firstOfNextMonth = (end: Date, timeZone: string, lang: 'es' | 'en' = 'en') =>
  DateTime.fromJSDate(end, { zone: timeZone }).setLocale(lang).toFormat(lang === 'es' ? "d 'de' LLLL" : 'LLLL d');

/**
 * Before a business-initiated send (a template that starts or reopens a conversation, a campaign):
 * a contact already active this month always passes; a new one passes while the plan has room.
 * Replies to customers and everything inbound never come here: they are never blocked.
 */
export async function assertContactAllowed(ctx: PlanCtx, portalId: number, contactId: number): Promise<void> {
  const plan = await planOf(ctx.db.pool, ctx.config, portalId);
  if (plan.activeContacts === null) return;
  const tz = await timeZoneOf(ctx.db.pool, portalId);
  const m = monthOf(ctx.clock.now(), tz);
  if (await isActiveContact(ctx.db.pool, contactId, m)) return;
  const used = await activeContacts(ctx.db.pool, portalId, m);
  if (used < plan.activeContacts) {
    // This send may take the portal to 80% or 100%: tell the admin (once per month and threshold).
    await claimThresholds(ctx.db.pool, portalId, m, used + 1, plan.activeContacts);
    return;
  }
  throw new AppError(
    409,
    'PLAN_LIMIT',
    `Your WhatsApp plan (${plan.name}) includes ${plan.activeContacts} contacts per month, and all of them have been reached this month. ` +
      `You can keep replying to customers who write to you, but you cannot start a conversation with a new contact until ${firstOfNextMonth(m.end, tz)}. ` +
      'Ask your HubSpot admin to upgrade the plan.',
    { limit: plan.activeContacts, used, resetsOn: DateTime.fromJSDate(m.end, { zone: tz }).toISODate() },
  );
}

/** Active agents a PUT /api/v1/agents body asks for. */
function requestedSeats(body: unknown): number | null {
  const agents = (body as { agents?: unknown })?.agents;
  if (!Array.isArray(agents)) return null; // the agents endpoint answers the validation error itself
  return agents.filter((a) => (a as { active?: unknown })?.active === true).length;
}

/**
 * Before the agents list is saved: more active agents than the plan's seats is refused, unless the
 * change does not add any (an admin over the plan can still edit or remove agents).
 */
export async function assertSeatsAllowed(ctx: PlanCtx, portalId: number, body: unknown): Promise<void> {
  const plan = await planOf(ctx.db.pool, ctx.config, portalId);
  const wanted = requestedSeats(body);
  if (plan.seats === null || wanted === null || wanted <= plan.seats) return;
  const current = await seatsUsed(ctx.db.pool, portalId);
  if (wanted <= current) return;
  const seats = plan.seats === 1 ? '1 agent seat' : `${plan.seats} agent seats`;
  throw new AppError(
    409,
    'PLAN_LIMIT',
    `Your WhatsApp plan (${plan.name}) includes ${seats}, and this change would make ${wanted} agents active. ` +
      'Turn off an agent first, or ask your HubSpot admin to add seats to the plan.',
    { seats: plan.seats, requested: wanted, current },
  );
}

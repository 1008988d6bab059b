import type { Router } from 'express';
import { z } from 'zod';
import type { AppContext, DomainModule } from '../app-context.js';
import type { Queryable } from '../db/database.js';
import { requireHubSpotSignature } from '../http/signed-request.js';
import type { HubSpotOwner } from './client.js';
import { ContactReader } from './contact-reader.js';
import { HubSpotCore, type HubSpotOptions } from './core.js';
import { PortalNotConnectedError } from './errors.js';
import { IdentityResolver } from './identity.js';
import { loadAppManifest } from './manifest.js';
import { toE164 } from './phone.js';
import { registerOAuthRoutes, SETUP_QUEUE } from './oauth-routes.js';
import { deleteContactData, PRIVACY_QUEUE, type PrivacyDeletionJob } from './privacy.js';
import { CONTACT_PROPERTIES } from './properties.js';
import { PROPERTIES_DRAIN_QUEUE, PropertyOutbox, type PropertyValue } from './property-outbox.js';
import { TASKS_DRAIN_QUEUE, TaskSync, type TaskRequest } from './tasks.js';
import { TIMELINE_DRAIN_QUEUE, TIMELINE_EVENT_QUEUE, TimelineLogger } from './timeline.js';

export { CONTACT_PROPERTIES } from './properties.js';
export type { HubSpotOwner } from './client.js';
export type { TaskRequest } from './tasks.js';
export type { PropertyValue } from './property-outbox.js';
export type { HubSpotOptions } from './core.js';
export { PortalNotConnectedError } from './errors.js';

/** What other domains use (docs/seams.md). Read it with `hubspotApp(ctx)`. */
export interface HubSpotApp {
  /** The portal's HubSpot owners (owner id ≠ user id), cached for 5 minutes. */
  listOwners(portalId: number): Promise<HubSpotOwner[]>;
  /** Durable, in the caller's transaction; merged per contact and written 100 contacts per call. */
  enqueueContactProperties(q: Queryable, p: { portalId: number; contactId: number; properties: Record<string, PropertyValue> }): Promise<void>;
  /** Durable; one open HubSpot task per conversation, updated rather than duplicated. */
  enqueueTask(q: Queryable, t: TaskRequest): Promise<void>;
  /** Marks the conversation's task completed in HubSpot (the next enqueueTask opens a new one). */
  completeTask(q: Queryable, p: { portalId: number; conversationId: number }): Promise<void>;
  /** The HubSpot contact id of a local contact: found by phone or created; never duplicated. */
  ensureHubSpotContact(portalId: number, contactId: number): Promise<string>;
  /** The HubSpot owner of the contact (for contact-owner routing); null when it has none. */
  contactOwnerId(portalId: number, contactId: number): Promise<string | null>;
  /**
   * A HubSpot contact we may have no local row for (the card opened on any contact): its WhatsApp
   * number (E.164 when known) and whether its consent property says granted; null when HubSpot has no such contact.
   */
  lookupHubSpotContact(portalId: number, hubspotContactId: string): Promise<{ phone: string | null; consentOptedIn: boolean } | null>;
  /** Same as lookupHubSpotContact. */
  lookupContact(portalId: number, hubspotContactId: string): Promise<{ phone: string | null; consentOptedIn: boolean } | null>;
  /** The app is installed and holds tokens for this portal. */
  isConnected(portalId: number): Promise<boolean>;
  /** Names of the contact properties the app created (wa_consent, wa_opted_out, …). */
  contactProperties: typeof CONTACT_PROPERTIES;
}

/** Internals for this domain's tests and benchmark. */
export interface HubSpotInternals {
  core: HubSpotCore;
  identity: IdentityResolver;
  timeline: TimelineLogger;
  properties: PropertyOutbox;
  tasks: TaskSync;
}

const SERVICE = 'hubspot';
const INTERNALS = 'hubspot.internals';
const OWNERS_TTL_MS = 5 * 60_000;
const UNINSTALLED_DATA_GRACE_DAYS = 30;
const PRIVACY_RECORD_RETENTION_YEARS = 5;

export function hubspotApp(ctx: AppContext): HubSpotApp {
  const s = ctx.services[SERVICE] as HubSpotApp | undefined;
  if (!s) throw new Error('the hubspot module is not registered (src/modules.ts)');
  return s;
}

export function hubspotInternals(ctx: AppContext): HubSpotInternals {
  const s = ctx.services[INTERNALS] as HubSpotInternals | undefined;
  if (!s) throw new Error('the hubspot module is not registered');
  return s;
}

const portalJob = z.object({ portalId: z.coerce.number().int().positive() });
const messageJob = z.object({ messageId: z.coerce.number().int().positive() });

const webhookEvent = z
  .object({
    subscriptionType: z.string(),
    portalId: z.coerce.number().int().positive(),
    objectId: z.union([z.number(), z.string()]).optional(),
    eventId: z.union([z.number(), z.string()]).optional(),
    occurredAt: z.number().optional(),
  })
  .passthrough();

/** Swallows "not connected": nothing is sent for a portal until it (re)installs. */
async function quietly(ctx: AppContext, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof PortalNotConnectedError) {
      ctx.logger.debug({ portalId: err.portalId }, 'hubspot portal not connected; skipped');
      return;
    }
    throw err;
  }
}

export function createHubSpotModule(opts: HubSpotOptions = {}): DomainModule {
  return {
    name: 'hubspot',
    async register(ctx: AppContext, router: Router) {
      const manifest = loadAppManifest(opts.manifestPath);
      const core = new HubSpotCore(ctx, opts);
      const properties = new PropertyOutbox(core);
      const identity = new IdentityResolver(core, { inDoubtHoldMs: opts.inDoubtHoldMs });
      properties.setIdentity(identity);
      const timeline = new TimelineLogger(core, identity, properties);
      properties.deferWhile((portalId) => timeline.drainer.isRunning(portalId));
      const tasks = new TaskSync(core, identity);
      const reader = new ContactReader(core);

      const owners = new Map<number, { at: number; list: Promise<HubSpotOwner[]> }>();
      const app: HubSpotApp = {
        listOwners(portalId) {
          const now = ctx.clock.now().getTime();
          const hit = owners.get(portalId);
          if (hit && now - hit.at < OWNERS_TTL_MS) return hit.list;
          const list = core.client(portalId).listOwners();
          owners.set(portalId, { at: now, list });
          list.catch(() => owners.delete(portalId));
          return list;
        },
        enqueueContactProperties: (q, p) => properties.enqueue(q, p),
        enqueueTask: (q, t) => tasks.enqueue(q, t),
        completeTask: (q, p) => tasks.complete(q, p),
        ensureHubSpotContact: (portalId, contactId) => identity.ensure(portalId, contactId),
        async contactOwnerId(portalId, contactId) {
          for (let attempt = 0; attempt < 2; attempt++) {
            const hs = await identity.ensure(portalId, contactId);
            const obj = await reader.read(portalId, hs);
            if (obj) return obj.properties.hubspot_owner_id || null;
            await identity.unlink(portalId, [hs]); // deleted in HubSpot: find or create it again
          }
          return null;
        },
        async lookupHubSpotContact(portalId, hubspotContactId) {
          if (!/^\d{1,20}$/.test(hubspotContactId)) return null;
          const obj = await reader.read(portalId, hubspotContactId);
          if (!obj) return null;
          const p = obj.properties;
          const raw = p[CONTACT_PROPERTIES.phoneE164] || p.mobilephone || p.phone || null;
          return { phone: raw ? (toE164(raw) ?? raw) : null, consentOptedIn: p[CONTACT_PROPERTIES.consent] === 'granted' };
        },
        lookupContact: (portalId, id) => app.lookupHubSpotContact(portalId, id),
        isConnected: (portalId) => core.isConnected(portalId),
        contactProperties: CONTACT_PROPERTIES,
      };
      ctx.services[SERVICE] = app;
      ctx.services[INTERNALS] = { core, identity, timeline, properties, tasks } satisfies HubSpotInternals;

      // ---- durable work ----
      ctx.events.subscribe('message.inbound', TIMELINE_EVENT_QUEUE);
      ctx.events.subscribe('message.outbound', TIMELINE_EVENT_QUEUE);
      await ctx.jobs.define<{ messageId: number }>({
        name: TIMELINE_EVENT_QUEUE,
        concurrency: 4,
        handler: async (data) => {
          await quietly(ctx, () => timeline.onMessage(messageJob.parse(data).messageId));
        },
      });
      const drainJob = (name: string, run: (portalId: number) => Promise<void>) =>
        ctx.jobs.define<{ portalId: number }>({
          name,
          concurrency: 2,
          retryLimit: 8,
          handler: async (data) => quietly(ctx, () => run(portalJob.parse(data).portalId)),
        });
      await drainJob(TIMELINE_DRAIN_QUEUE, async (portalId) => {
        await timeline.drainer.run(portalId);
      });
      await drainJob(PROPERTIES_DRAIN_QUEUE, (portalId) => properties.drainer.run(portalId));
      await drainJob(TASKS_DRAIN_QUEUE, (portalId) => tasks.drainer.run(portalId));
      await drainJob(SETUP_QUEUE, (portalId) => core.setupPortal(portalId));
      await ctx.jobs.define<PrivacyDeletionJob>({
        name: PRIVACY_QUEUE,
        retryLimit: 10,
        handler: async (data) => {
          await deleteContactData(ctx, data);
        },
      });

      // Safety net: work whose wake-up was lost (a process died) is picked up within a minute.
      ctx.scheduler.add({
        name: 'hubspot.sweep',
        everyMs: 60_000,
        run: async () => {
          for (const portalId of await timeline.portalsWithBacklog()) await timeline.scheduleDrain(portalId);
          for (const portalId of await properties.portalsWithBacklog()) await properties.scheduleDrain(portalId);
          for (const portalId of await tasks.portalsWithBacklog()) await tasks.scheduleDrain(portalId);
        },
      });
      ctx.scheduler.add({
        name: 'hubspot.retention',
        everyMs: 24 * 60 * 60_000,
        run: async () => {
          const now = ctx.clock.now().getTime();
          await ctx.db.query('DELETE FROM hubspot_oauth_states WHERE expires_at < $1', [new Date(now)]);
          // F18: an uninstalled account's data goes after a grace period (a reinstall within it keeps history).
          const gone = await ctx.db.query(
            `DELETE FROM portals WHERE status = 'uninstalled' AND uninstalled_at < $1 RETURNING id`,
            [new Date(now - UNINSTALLED_DATA_GRACE_DAYS * 86_400_000)],
          );
          if (gone.rowCount) ctx.logger.info({ portals: gone.rowCount }, 'uninstalled portals purged');
          await ctx.db.query('DELETE FROM hubspot_privacy_deletions WHERE deleted_at < $1', [
            new Date(now - PRIVACY_RECORD_RETENTION_YEARS * 365 * 86_400_000),
          ]);
        },
      });

      // ---- HTTP ----
      registerOAuthRoutes(ctx, router, core, manifest, async (portalId) => {
        // A reinstall resumes whatever waited while the portal was disconnected.
        await timeline.scheduleDrain(portalId);
        await properties.scheduleDrain(portalId);
        await tasks.scheduleDrain(portalId);
      });

      router.post('/webhooks/hubspot', requireHubSpotSignature(ctx, { bindCaller: false }), async (req, res) => {
        const raw = Array.isArray(req.body) ? req.body : [req.body];
        const events = z.array(webhookEvent).max(1000).parse(raw);
        let queued = 0;
        for (const e of events) {
          if (e.subscriptionType === 'contact.privacyDeletion' && e.objectId !== undefined) {
            await ctx.jobs.send(PRIVACY_QUEUE, {
              portalId: e.portalId,
              hubspotContactId: String(e.objectId),
              eventId: e.eventId === undefined ? undefined : String(e.eventId),
              occurredAt: e.occurredAt,
            } satisfies PrivacyDeletionJob);
            queued++;
          }
          // Phone changes are acknowledged: the link to the HubSpot contact stays authoritative.
        }
        res.status(200).json({ received: events.length, queued });
      });
    },
  };
}

export const hubspotModule: DomainModule = createHubSpotModule();

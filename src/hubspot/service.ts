import type { Router } from 'express';
import { z } from 'zod';
import type { AppContext, Domain } from '../app-context.js';
import type { Queryable } from '../db/database.js';
import type { ChannelErasure, ConsentMirror, ConsentState, ContactDirectory, ContactListInfo, ContactLinker, ContactListMember, ContactLists, ContactPropertyWriter, HubSpotContactInfo, MediaFiles, MediaLinks, OwnerInfo, TaskNotifier, TaskRequest } from '../seams.js';
import type { HubSpotOwner } from './client.js';
import { ContactReader } from './contact-reader.js';
import { HubSpotCore, type HubSpotOptions } from './core.js';
import { PortalNotConnectedError } from './errors.js';
import { IdentityResolver } from './identity.js';
import { ContactListReader } from './lists.js';
import { loadAppManifest } from './manifest.js';
import { toE164 } from './phone.js';
import { registerOAuthRoutes, SETUP_QUEUE } from './oauth-routes.js';
import { OAuthStates, STATE_EXPIRY_EVERY_MS } from './oauth-states.js';
import { deleteContactData, PRIVACY_QUEUE, type PrivacyDeletionJob } from './privacy.js';
import { CONTACT_PROPERTIES } from './properties.js';
import { PROPERTIES_DRAIN_QUEUE, PropertyOutbox, type PropertyValue } from './property-outbox.js';
import { TASKS_DRAIN_QUEUE, TaskSync } from './tasks.js';
import { TIMELINE_DRAIN_QUEUE, TIMELINE_EVENT_QUEUE, TIMELINE_WAKE_QUEUE, TimelineLogger } from './timeline.js';
import { registerHubSpotWebhook } from './webhook.js';

export interface HubSpotDeps {
  /** Attachment links on the timeline and attachment files to erase (the WhatsApp domain); none without it. */
  media?: MediaLinks & MediaFiles;
  /** What the WhatsApp channel keeps about a person outside their contact's rows, erased with them. */
  channel?: ChannelErasure;
}

const OWNERS_TTL_MS = 5 * 60_000;
const UNINSTALLED_DATA_GRACE_DAYS = 30;
const PRIVACY_RECORD_RETENTION_YEARS = 5;

const portalJob = z.object({ portalId: z.coerce.number().int().positive() });
const messageJob = z.object({ messageId: z.coerce.number().int().positive() });

/** HubSpot contact properties for a consent state (names owned by this domain). */
export function consentPropertyValues(m: ConsentState): Record<string, string | boolean | Date | null> {
  const p: Record<string, string | boolean | Date | null> = {
    [CONTACT_PROPERTIES.consent]: m.consent,
    [CONTACT_PROPERTIES.optedOut]: m.optedOut,
  };
  if (m.consentAt) p[CONTACT_PROPERTIES.consentAt] = m.consentAt;
  if (m.textVersion !== null) p[CONTACT_PROPERTIES.consentTextVersion] = String(m.textVersion);
  return p;
}

/**
 * The HubSpot app: OAuth, the timeline, contact properties, tasks, contact identity, privacy.
 * Implements the ContactDirectory, TaskNotifier and ConsentMirror seams (src/seams.ts); its
 * internals (core, identity, timeline, properties, tasks) are public for its tests and benchmark.
 */
export class HubSpotService implements Domain, ContactDirectory, TaskNotifier, ConsentMirror, ContactPropertyWriter, ContactLists, ContactLinker {
  readonly name = 'hubspot';
  readonly core: HubSpotCore;
  readonly identity: IdentityResolver;
  readonly properties: PropertyOutbox;
  readonly timeline: TimelineLogger;
  readonly tasks: TaskSync;
  /** Names of the contact properties the app created (wa_consent, wa_opted_out, …). */
  readonly contactProperties = CONTACT_PROPERTIES;
  private readonly reader: ContactReader;
  private readonly lists: ContactListReader;
  private readonly ownersCache = new Map<number, { at: number; list: Promise<HubSpotOwner[]> }>();

  constructor(
    private readonly ctx: AppContext,
    private readonly deps: HubSpotDeps = {},
    private readonly opts: HubSpotOptions = {},
  ) {
    this.core = new HubSpotCore(ctx, opts);
    this.properties = new PropertyOutbox(this.core);
    this.identity = new IdentityResolver(this.core, { inDoubtHoldMs: opts.inDoubtHoldMs });
    this.properties.setIdentity(this.identity);
    this.timeline = new TimelineLogger(this.core, this.identity, this.properties, deps.media);
    this.properties.deferWhile((portalId) => this.timeline.drainer.isRunning(portalId));
    this.tasks = new TaskSync(this.core, this.identity);
    this.reader = new ContactReader(this.core);
    this.lists = new ContactListReader(this.core);
  }

  searchContactLists(portalId: number, query: string): Promise<ContactListInfo[]> {
    return this.lists.search(portalId, query);
  }

  readContactList(portalId: number, listId: string, properties: string[], onProgress?: (read: number, total: number | null) => Promise<void> | void): Promise<{ list: ContactListInfo; members: ContactListMember[] }> {
    return this.lists.read(portalId, listId, properties, onProgress);
  }

  /** The portal's HubSpot owners (owner id ≠ user id), cached for 5 minutes. */
  listOwners(portalId: number): Promise<HubSpotOwner[]> {
    const now = this.ctx.clock.now().getTime();
    const hit = this.ownersCache.get(portalId);
    if (hit && now - hit.at < OWNERS_TTL_MS) return hit.list;
    const list = this.core.client(portalId).listOwners();
    this.ownersCache.set(portalId, { at: now, list });
    list.catch(() => this.ownersCache.delete(portalId));
    return list;
  }

  async owners(portalId: number): Promise<OwnerInfo[]> {
    return (await this.listOwners(portalId))
      .filter((o) => (o.type ?? 'PERSON') === 'PERSON' && !o.archived)
      .map((o) => ({
        ownerId: String(o.id),
        userId: o.userId ?? null,
        email: o.email ?? '',
        name: [o.firstName, o.lastName].filter(Boolean).join(' ').trim() || o.email || `Owner ${o.id}`,
      }));
  }

  /** Durable, in the caller's transaction; merged per contact and written 100 contacts per call. */
  enqueueContactProperties(q: Queryable, p: { portalId: number; contactId: number; properties: Record<string, PropertyValue>; define?: Array<{ name: string; label: string }> }): Promise<void> {
    return this.properties.enqueue(q, p);
  }

  mirrorConsent(q: Queryable, p: { portalId: number; contactId: number } & ConsentState): Promise<void> {
    return this.enqueueContactProperties(q, { portalId: p.portalId, contactId: p.contactId, properties: consentPropertyValues(p) });
  }

  enqueueTask(q: Queryable, t: TaskRequest): Promise<void> {
    return this.tasks.enqueue(q, t);
  }

  completeTask(q: Queryable, p: { portalId: number; conversationId: number }): Promise<void> {
    return this.tasks.complete(q, p);
  }

  async linkContacts(portalId: number, contactIds: number[]): Promise<boolean> {
    const outcomes = await this.identity.ensureMany(portalId, contactIds);
    return ![...outcomes.values()].some((o) => o instanceof PortalNotConnectedError);
  }

  /** The HubSpot contact id of a local contact: found by phone or created; never duplicated. */
  ensureHubSpotContact(portalId: number, contactId: number): Promise<string> {
    return this.identity.ensure(portalId, contactId);
  }

  async contactOwnerId(portalId: number, contactId: number): Promise<string | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const hs = await this.identity.ensure(portalId, contactId);
      const obj = await this.reader.read(portalId, hs);
      if (obj) return obj.properties.hubspot_owner_id || null;
      await this.identity.unlink(portalId, [hs]); // deleted in HubSpot: find or create it again
    }
    return null;
  }

  async lookupHubSpotContact(portalId: number, hubspotContactId: string): Promise<HubSpotContactInfo | null> {
    if (!/^\d{1,20}$/.test(hubspotContactId)) return null;
    const obj = await this.reader.read(portalId, hubspotContactId);
    if (!obj) return null;
    const p = obj.properties;
    const raw = p[CONTACT_PROPERTIES.phoneE164] || p.mobilephone || p.phone || null;
    return { phone: raw ? (toE164(raw) ?? raw) : null, consentOptedIn: p[CONTACT_PROPERTIES.consent] === 'granted' };
  }

  /** The app is installed and holds tokens for this portal. */
  isConnected(portalId: number): Promise<boolean> {
    return this.core.isConnected(portalId);
  }

  /** Swallows "not connected": nothing is sent for a portal until it (re)installs. */
  private async quietly(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (err instanceof PortalNotConnectedError) {
        this.ctx.logger.debug({ portalId: err.portalId }, 'hubspot portal not connected; skipped');
        return;
      }
      throw err;
    }
  }

  /** The three outboxes: drains a portal's timeline, properties and tasks. */
  private get outboxes() {
    return [this.timeline, this.properties, this.tasks];
  }

  async defineJobs(): Promise<void> {
    const { ctx } = this;
    ctx.events.onCommitted('message.inbound', (e) => this.timeline.wake(e.portalId));
    ctx.events.onCommitted('message.outbound', (e) => this.timeline.wake(e.portalId));
    await ctx.jobs.define<{ messageId: number }>({
      name: TIMELINE_EVENT_QUEUE,
      concurrency: 4,
      handler: async (data) => this.quietly(() => this.timeline.onMessage(messageJob.parse(data).messageId)),
    });
    // One job per portal; a wake is 'short' so a queued one absorbs the next (singletonKey).
    const drainJob = (name: string, run: (portalId: number) => Promise<void>, policy?: 'short') =>
      ctx.jobs.define<{ portalId: number }>({
        name,
        policy,
        concurrency: 2,
        retryLimit: 8,
        handler: async (data) => this.quietly(() => run(portalJob.parse(data).portalId)),
      });
    await drainJob(TIMELINE_WAKE_QUEUE, (portalId) => this.timeline.drainer.run(portalId), 'short');
    await drainJob(TIMELINE_DRAIN_QUEUE, (portalId) => this.timeline.drainer.run(portalId));
    await drainJob(PROPERTIES_DRAIN_QUEUE, (portalId) => this.properties.drainer.run(portalId));
    await drainJob(TASKS_DRAIN_QUEUE, (portalId) => this.tasks.drainer.run(portalId));
    await drainJob(SETUP_QUEUE, (portalId) => this.core.setupPortal(portalId));
    await ctx.jobs.define<PrivacyDeletionJob>({
      name: PRIVACY_QUEUE,
      retryLimit: 10,
      handler: async (data) => {
        await deleteContactData(ctx, { media: this.deps.media, channel: this.deps.channel }, data);
      },
    });

    // Safety net: work whose wake-up was lost (a process died) is picked up within a minute.
    ctx.scheduler.add({
      name: 'hubspot.sweep',
      everyMs: 60_000,
      run: async () => {
        for (const outbox of this.outboxes) for (const portalId of await outbox.portalsWithBacklog()) await outbox.scheduleDrain(portalId);
      },
    });
    ctx.scheduler.add({ name: 'hubspot.oauth-states', everyMs: STATE_EXPIRY_EVERY_MS, run: async () => void (await new OAuthStates(ctx).expire()) });
    ctx.scheduler.add({ name: 'hubspot.retention', everyMs: 24 * 60 * 60_000, run: () => this.retention() });
  }

  private async retention(): Promise<void> {
    const { ctx } = this;
    const now = ctx.clock.now().getTime();
    await ctx.db.query('DELETE FROM hubspot_oauth_states WHERE expires_at < $1', [new Date(now)]);
    // F18: an uninstalled account's data goes after a grace period (a reinstall within it keeps history).
    const gone = await ctx.db.query(`DELETE FROM portals WHERE status = 'uninstalled' AND uninstalled_at < $1 RETURNING id`, [
      new Date(now - UNINSTALLED_DATA_GRACE_DAYS * 86_400_000),
    ]);
    if (gone.rowCount) ctx.logger.info({ portals: gone.rowCount }, 'uninstalled portals purged');
    await ctx.db.query('DELETE FROM hubspot_privacy_deletions WHERE deleted_at < $1', [new Date(now - PRIVACY_RECORD_RETENTION_YEARS * 365 * 86_400_000)]);
  }

  mountRoutes(router: Router): void {
    registerOAuthRoutes(this.ctx, router, this.core, loadAppManifest(this.opts.manifestPath), async (portalId) => {
      // A reinstall resumes whatever waited while the portal was disconnected.
      for (const outbox of this.outboxes) await outbox.scheduleDrain(portalId);
    });
    registerHubSpotWebhook(this.ctx, router);
  }
}

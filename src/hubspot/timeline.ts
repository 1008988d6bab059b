import type { PoolClient } from 'pg';
import { ASSOCIATION, type CrmObject } from './client.js';
import { mapLimit } from './concurrency.js';
import type { HubSpotCore } from './core.js';
import type { StepResult } from './drainer.js';
import { OUTBOX, PortalOutbox } from './outbox.js';
import { HubSpotApiError, HubSpotInDoubtError, PortalNotConnectedError } from './errors.js';
import type { IdentityResolver } from './identity.js';
import type { PropertyOutbox } from './property-outbox.js';
import { CONTACT_PROPERTIES } from './properties.js';
import type { MediaLinks } from '../seams.js';
import { communicationBody, REF_RE, type LoggedMessage } from './render.js';

export const TIMELINE_DRAIN_QUEUE = 'hubspot.timeline.drain';
/** Before the wake-ups: one job per message (kept so jobs queued by an older version still run). */
export const TIMELINE_EVENT_QUEUE = 'hubspot.timeline.message';
/** A portal's drain woken after a message commits: one queued job per portal (policy 'short'). */
export const TIMELINE_WAKE_QUEUE = 'hubspot.timeline.wake';

const BATCH = 100;
const CLAIM = 500;
const LOOKAHEAD_CONTACTS = 1000;
const SENDING_LEASE_MS = OUTBOX.leaseMs;
const MAX_ATTEMPTS = OUTBOX.maxAttempts;
/** Batch creates in flight at once per portal (the limiter still paces them). */
const PARALLEL_BATCHES = 4;

/** A message that should appear on the timeline: every inbound one; outbound ones Meta accepted. */
const PENDING = `m.portal_id = $1 AND m.hubspot_communication_id IS NULL
  AND (m.direction = 'in' OR (m.wamid IS NOT NULL AND m.status <> 'failed'))
  AND NOT EXISTS (SELECT 1 FROM hubspot_timeline_claims tc WHERE tc.message_id = m.id)`;

interface Row extends LoggedMessage {
  contact_id: number;
  hubspot_contact_id: string;
  owner_id: string | null;
  media_link?: string | null;
}

const MEDIA_TYPES = new Set(['image', 'document', 'audio', 'video', 'sticker']);

/**
 * Timeline logging: every WhatsApp message becomes one HubSpot communication (channel WHATS_APP),
 * associated with the contact, 100 per batch create. The messages table is the queue; a claim row
 * per message in flight and the communication id written in the same transaction that deletes the
 * claim make it exactly once across retries, redeliveries and crashes (a lost answer is reconciled
 * by searching for the message's reference before anything is created again).
 */
export class TimelineLogger extends PortalOutbox {

  constructor(
    core: HubSpotCore,
    private readonly identity: IdentityResolver,
    private readonly properties: PropertyOutbox,
    /** Links to stored attachments (the WhatsApp domain); without it only public links are shown. */
    private readonly media?: MediaLinks,
  ) {
    super(core, TIMELINE_DRAIN_QUEUE);
  }
  private get inDoubtHold() {
    return this.core.opts.inDoubtHoldMs ?? 30_000;
  }
  private now() {
    return this.ctx.clock.now().getTime();
  }

  /** message.inbound / message.outbound: make sure a drain runs for the message's portal. */
  async onMessage(messageId: number): Promise<void> {
    const r = await this.ctx.db.query<{ portal_id: number; hubspot_communication_id: string | null }>(
      'SELECT portal_id, hubspot_communication_id FROM messages WHERE id = $1',
      [messageId],
    );
    const m = r.rows[0];
    if (!m || m.hubspot_communication_id) return;
    await this.drainer.run(m.portal_id);
  }

  /** After a message commits: a drain running here looks again; else one queued wake per portal, due when
   * the batch window closes, sees every message committed before it (docs/hubspot.md). */
  async wake(portalId: number): Promise<void> {
    if (this.drainer.isRunning(portalId)) return this.drainer.run(portalId);
    await this.ctx.jobs.send(TIMELINE_WAKE_QUEUE, { portalId }, { singletonKey: String(portalId), startAfterSeconds: this.lingerMs / 1000 });
  }

  /** Portals with messages still to log (the periodic sweep's safety net). */
  async portalsWithBacklog(): Promise<number[]> {
    const r = await this.ctx.db.query<{ portal_id: number }>(
      `SELECT p.id AS portal_id FROM portals p
        WHERE p.status = 'installed' AND p.refresh_token_enc IS NOT NULL
          AND (EXISTS (SELECT 1 FROM messages m WHERE ${PENDING.replaceAll('$1', 'p.id')})
               OR EXISTS (SELECT 1 FROM hubspot_timeline_claims c WHERE c.portal_id = p.id AND c.state <> 'parked' AND c.lease_until < $1))`,
      [new Date(this.now())],
    );
    return r.rows.map((x) => Number(x.portal_id));
  }

  async step(portalId: number): Promise<StepResult> {
    if (!(await this.core.isConnected(portalId))) return { kind: 'blocked' };
    const now = this.now();

    // Claims whose worker died, or whose create answer was lost: reconcile before anything else.
    await this.ctx.db.query(`DELETE FROM hubspot_timeline_claims WHERE portal_id = $1 AND state = 'retry' AND lease_until < $2`, [
      portalId,
      new Date(now),
    ]);
    const doubt = await this.ctx.db.query<{ message_id: number }>(
      `UPDATE hubspot_timeline_claims SET state = 'in_doubt', lease_owner = $2, lease_until = $3
        WHERE portal_id = $1 AND state IN ('sending', 'in_doubt') AND lease_until < $4
        RETURNING message_id`,
      [portalId, this.core.instanceId, new Date(now + SENDING_LEASE_MS), new Date(now)],
    );
    if (doubt.rows.length) {
      await this.reconcile(portalId, doubt.rows.map((r) => Number(r.message_id)));
      return { kind: 'progress' };
    }

    // Batch window (outbox.ts): a full batch, or the oldest message and the portal's last batch `lingerMs` old.
    const w = await this.ctx.db.query<{ n: number; age: number | null }>(
      `SELECT count(*)::int AS n, (EXTRACT(EPOCH FROM (now() - min(created_at))) * 1000)::float8 AS age
         FROM (SELECT m.created_at FROM messages m WHERE ${PENDING} ORDER BY m.id LIMIT ${BATCH}) x`,
      [portalId],
    );
    const { n, age } = w.rows[0]!;
    if (n === 0) return { kind: 'empty' };
    const wait = this.batchWindow(portalId, n, age, BATCH, { sinceLastBatch: true });
    if (wait) return wait;

    if ((await this.linkWaitingContacts(portalId)) === 'blocked') return { kind: 'blocked' };

    const claimed = await this.ctx.db.query<{ message_id: number }>(
      `INSERT INTO hubspot_timeline_claims (message_id, portal_id, state, lease_owner, lease_until)
       SELECT m.id, m.portal_id, 'sending', $2, $3 FROM messages m JOIN contacts c ON c.id = m.contact_id
        WHERE ${PENDING} AND c.hubspot_contact_id IS NOT NULL
        ORDER BY m.id LIMIT ${CLAIM}
       ON CONFLICT (message_id) DO NOTHING
       RETURNING message_id`,
      [portalId, this.core.instanceId, new Date(now + SENDING_LEASE_MS)],
    );
    const ids = claimed.rows.map((r) => Number(r.message_id));
    if (!ids.length) return { kind: 'empty' };
    this.batchClaimed(portalId);
    const rows = await this.load(ids);
    const chunks: Row[][] = [];
    for (let i = 0; i < rows.length; i += BATCH) chunks.push(rows.slice(i, i + BATCH));
    let blocked = false;
    try {
      await mapLimit(chunks, PARALLEL_BATCHES, async (chunk) => {
        if (blocked) return this.release(chunk.map((x) => x.id));
        if ((await this.sendChunk(portalId, chunk)) === 'blocked') blocked = true;
      });
      if (blocked) return { kind: 'blocked' };
    } catch (err) {
      // Chunks never sent go back to the queue at once (sent ones are recorded, in doubt or retrying).
      await this.ctx.db.query(
        `DELETE FROM hubspot_timeline_claims WHERE message_id = ANY($1::bigint[]) AND state = 'sending' AND lease_owner = $2`,
        [ids, this.core.instanceId],
      );
      throw err;
    } finally {
      // The "last WhatsApp message" writes queued with the logged messages go out in their own batches.
      await this.properties.scheduleDrain(portalId).catch(() => undefined);
    }
    return { kind: 'progress' };
  }

  /** Look ahead: link every contact with waiting messages in one go (one search serves many numbers). */
  private async linkWaitingContacts(portalId: number): Promise<'blocked' | undefined> {
    const unlinked = await this.ctx.db.query<{ contact_id: number }>(
      `SELECT DISTINCT m.contact_id FROM messages m JOIN contacts c ON c.id = m.contact_id
        WHERE ${PENDING} AND c.hubspot_contact_id IS NULL LIMIT ${LOOKAHEAD_CONTACTS}`,
      [portalId],
    );
    // Contacts that just failed wait for their backoff (their messages stay queued; the sweep retries).
    const toLink = unlinked.rows.map((r) => Number(r.contact_id)).filter((id) => !this.identity.backedOff(portalId, id));
    if (!toLink.length) return undefined;
    const res = await this.identity.ensureMany(portalId, toLink);
    let failed = 0;
    let example: Error | undefined;
    for (const o of res.values()) {
      if (o instanceof PortalNotConnectedError) return 'blocked';
      if (o instanceof Error) {
        failed++;
        example ??= o;
      }
    }
    if (failed) this.ctx.logger.warn({ portalId, failed, err: example }, 'hubspot: some contacts could not be linked; their messages wait');
    return undefined;
  }

  private async load(ids: number[]): Promise<Row[]> {
    const r = await this.ctx.db.query<Row>(
      `SELECT m.id, m.direction, m.type, m.text, m.payload, m.sender, m.template_name, m.sent_at, m.contact_id,
              c.hubspot_contact_id, c.phone_e164, c.profile_name,
              a.name AS agent_name, COALESCE(a.owner_id, ca.owner_id) AS owner_id
         FROM messages m
         JOIN contacts c ON c.id = m.contact_id
         LEFT JOIN agents a ON a.id = m.agent_id
         LEFT JOIN conversations cv ON cv.id = m.conversation_id
         LEFT JOIN agents ca ON ca.id = cv.assignee_agent_id
        WHERE m.id = ANY($1::bigint[])
        ORDER BY m.sent_at, m.id`,
      [ids],
    );
    const rows = r.rows.map((x) => ({ ...x, id: Number(x.id), contact_id: Number(x.contact_id) }));
    const withMedia = rows.filter((m) => MEDIA_TYPES.has(m.type)).map((m) => m.id);
    const links = withMedia.length && this.media ? await this.media.timelineLinks(withMedia).catch(() => new Map<number, string>()) : new Map<number, string>();
    return rows.map((m) => ({ ...m, media_link: links.get(m.id) ?? null }));
  }

  private input(m: Row) {
    const properties: Record<string, string> = {
      hs_communication_channel_type: 'WHATS_APP',
      hs_communication_logged_from: 'CRM',
      hs_communication_body: communicationBody(m, { mediaLink: m.media_link ?? null }),
      hs_timestamp: new Date(m.sent_at).toISOString(),
    };
    if (m.owner_id) properties.hubspot_owner_id = m.owner_id;
    return {
      properties,
      associations: [
        {
          to: { id: m.hubspot_contact_id },
          types: [{ associationCategory: 'HUBSPOT_DEFINED' as const, associationTypeId: ASSOCIATION.communicationToContact }],
        },
      ],
    };
  }

  private async release(ids: number[]): Promise<void> {
    if (ids.length)
      await this.ctx.db.query('DELETE FROM hubspot_timeline_claims WHERE message_id = ANY($1::bigint[]) AND lease_owner = $2', [
        ids,
        this.core.instanceId,
      ]);
  }

  private async sendChunk(portalId: number, rows: Row[]): Promise<'ok' | 'blocked'> {
    const client = this.core.client(portalId);
    const ids = rows.map((r) => r.id);
    let results: CrmObject[];
    try {
      results = (await client.batchCreateCommunications(rows.map((r) => this.input(r)))).results ?? [];
    } catch (err) {
      if (err instanceof PortalNotConnectedError) {
        await this.release(ids);
        return 'blocked';
      }
      if (err instanceof HubSpotInDoubtError) {
        await this.ctx.db.query(
          `UPDATE hubspot_timeline_claims SET state = 'in_doubt', lease_until = $2, last_error = $3 WHERE message_id = ANY($1::bigint[])`,
          [ids, new Date(this.now() + this.inDoubtHold), err.message.slice(0, 500)],
        );
        throw err;
      }
      if (err instanceof HubSpotApiError && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403) {
        // A contact deleted in HubSpot makes the whole batch invalid: find it, forget the link, re-resolve.
        const gone = await this.missingContacts(portalId, [...new Set(rows.map((r) => r.hubspot_contact_id))]);
        if (gone.length) {
          await this.identity.unlink(portalId, gone);
          await this.release(ids);
          return 'ok';
        }
        await this.ctx.db.query(
          `UPDATE hubspot_timeline_claims
              SET state = CASE WHEN attempts >= $3 THEN 'parked' ELSE 'retry' END,
                  lease_until = ${OUTBOX.backoffSql('attempts', '$2')},
                  attempts = attempts + 1, last_error = $4
            WHERE message_id = ANY($1::bigint[])`,
          [ids, new Date(this.now()), MAX_ATTEMPTS, err.message.slice(0, 500)],
        );
        this.ctx.logger.error({ portalId, err }, 'hubspot refused a communications batch; will retry later');
        return 'ok';
      }
      await this.release(ids);
      throw err;
    }

    // Batch results may come back in any order: each carries its message's reference.
    const byMessage = new Map<number, string>();
    for (const r of results) {
      const m = REF_RE.exec(String(r.properties?.hs_communication_body ?? ''));
      if (m && ids.includes(Number(m[1]))) byMessage.set(Number(m[1]), r.id);
    }
    if (byMessage.size < rows.length && results.length === rows.length && byMessage.size === 0) {
      rows.forEach((row, i) => byMessage.set(row.id, results[i]!.id));
    }
    try {
      await this.ctx.db.tx(async (c) => {
        await this.record(c, byMessage);
        const unmatched = ids.filter((id) => !byMessage.has(id));
        if (unmatched.length) {
          await c.query(`UPDATE hubspot_timeline_claims SET state = 'in_doubt', lease_until = $2 WHERE message_id = ANY($1::bigint[])`, [
            unmatched,
            new Date(this.now() + this.inDoubtHold),
          ]);
        }
        await this.touchContacts(c, portalId, [...new Set(rows.filter((r) => byMessage.has(r.id)).map((r) => r.contact_id))]);
      });
    } catch (err) {
      // Created in HubSpot but not recorded here: reconcile (adopt) them rather than create again.
      await this.ctx.db.query(`UPDATE hubspot_timeline_claims SET state = 'in_doubt', lease_until = $2 WHERE message_id = ANY($1::bigint[])`, [
        ids,
        new Date(this.now() + this.inDoubtHold),
      ]);
      throw err;
    }
    return 'ok';
  }

  /** Writes communication ids and drops the claims, in the caller's transaction. */
  private async record(c: PoolClient, byMessage: Map<number, string>): Promise<void> {
    if (!byMessage.size) return;
    const ids = [...byMessage.keys()];
    await c.query(
      `UPDATE messages m SET hubspot_communication_id = v.cid FROM unnest($1::bigint[], $2::text[]) AS v(id, cid)
        WHERE m.id = v.id AND m.hubspot_communication_id IS NULL`,
      [ids, ids.map((id) => byMessage.get(id)!)],
    );
    await c.query('DELETE FROM hubspot_timeline_claims WHERE message_id = ANY($1::bigint[])', [ids]);
  }

  /** "Last WhatsApp message" on the contacts just logged (merged into the batched property writes). */
  private async touchContacts(c: PoolClient, portalId: number, contactIds: number[]): Promise<void> {
    if (!contactIds.length) return;
    const r = await c.query<{ contact_id: number; last: Date }>(
      `SELECT contact_id, max(sent_at) AS last FROM messages WHERE contact_id = ANY($1::bigint[]) AND hubspot_communication_id IS NOT NULL GROUP BY contact_id`,
      [contactIds],
    );
    await this.properties.enqueueMany(
      c,
      portalId,
      r.rows.map((x) => ({ contactId: Number(x.contact_id), properties: { [CONTACT_PROPERTIES.lastMessageAt]: new Date(x.last).toISOString() } })),
    );
  }

  /** Which of these HubSpot contact ids no longer exist (one batch read). */
  private async missingContacts(portalId: number, hsIds: string[]): Promise<string[]> {
    const client = this.core.client(portalId);
    const gone: string[] = [];
    for (let i = 0; i < hsIds.length; i += BATCH) {
      const chunk = hsIds.slice(i, i + BATCH);
      try {
        const r = await client.batchReadContacts(chunk, ['hs_object_id']);
        const present = new Set((r.results ?? []).map((x) => x.id));
        gone.push(...chunk.filter((id) => !present.has(id)));
      } catch (err) {
        if (err instanceof HubSpotApiError && err.status === 404) gone.push(...chunk);
        else throw err;
      }
    }
    return gone;
  }

  /**
   * Claims whose create may or may not have reached HubSpot: look for their references among the
   * portal's WhatsApp communications around their timestamps; adopt what exists, release the rest.
   */
  private async reconcile(portalId: number, ids: number[]): Promise<void> {
    const r = await this.ctx.db.query<{ id: number; sent_at: Date }>('SELECT id, sent_at FROM messages WHERE id = ANY($1::bigint[])', [ids]);
    if (!r.rows.length) {
      await this.ctx.db.query('DELETE FROM hubspot_timeline_claims WHERE message_id = ANY($1::bigint[])', [ids]);
      return;
    }
    const times = r.rows.map((x) => new Date(x.sent_at).getTime());
    const wanted = new Set(r.rows.map((x) => Number(x.id)));
    const found = new Map<number, string>();
    const client = this.core.client(portalId);
    let after: string | undefined;
    for (let page = 0; page < 50; page++) {
      const res = await client.searchCommunications({
        filterGroups: [
          {
            filters: [
              { propertyName: 'hs_communication_channel_type', operator: 'EQ', value: 'WHATS_APP' },
              { propertyName: 'hs_timestamp', operator: 'GTE', value: String(Math.min(...times) - 1000) },
              { propertyName: 'hs_timestamp', operator: 'LTE', value: String(Math.max(...times) + 1000) },
            ],
          },
        ],
        properties: ['hs_communication_body', 'hs_timestamp'],
        limit: 200,
        ...(after ? { after } : {}),
      });
      for (const o of res.results) {
        const m = REF_RE.exec(String(o.properties?.hs_communication_body ?? ''));
        if (m && wanted.has(Number(m[1])) && !found.has(Number(m[1]))) found.set(Number(m[1]), o.id);
      }
      after = res.paging?.next?.after;
      if (!after || found.size === wanted.size) break;
    }
    await this.ctx.db.tx(async (c) => {
      await this.record(c, found);
      await c.query('DELETE FROM hubspot_timeline_claims WHERE message_id = ANY($1::bigint[])', [ids]);
    });
    this.ctx.logger.info({ portalId, inDoubt: ids.length, adopted: found.size }, 'hubspot timeline reconciled');
  }
}

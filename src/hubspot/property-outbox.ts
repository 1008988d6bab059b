import type { Queryable } from '../db/database.js';
import type { HubSpotCore } from './core.js';
import type { StepResult } from './drainer.js';
import { OUTBOX, PortalOutbox } from './outbox.js';
import { HubSpotApiError, PortalNotConnectedError } from './errors.js';
import type { IdentityResolver } from './identity.js';
import { CustomProperties, type CustomPropertyDef } from './custom-properties.js';
import { isBuiltInProperty, sanitizeProperties } from './properties.js';

export const PROPERTIES_DRAIN_QUEUE = 'hubspot.properties.drain';

export type PropertyValue = string | number | boolean | Date | null;

interface Claimed {
  contact_id: number;
  properties: Record<string, string>;
  version: number;
}

const BATCH = 100;
const CLAIM = 500;
const MAX_ATTEMPTS = OUTBOX.maxAttempts;
const BUSY_DEFER_MS = 10_000;

/** HubSpot's property value spelling: dates as ISO 8601, booleans as true/false, null clears. */
export function toHubSpotValue(v: PropertyValue): string {
  if (v === null) return '';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/**
 * Contact property writes: merged per contact in our database (later values win), then sent 100
 * contacts per batch update. Durable and at least once (a property write can be repeated).
 */
export class PropertyOutbox extends PortalOutbox {
  private identity!: IdentityResolver;
  /** Custom properties (a bot flow's collect step): made sure of at HubSpot before a value goes to one. */
  readonly custom: CustomProperties;

  constructor(core: HubSpotCore) {
    super(core, PROPERTIES_DRAIN_QUEUE);
    this.custom = new CustomProperties({ db: core.ctx.db, logger: core.ctx.logger, now: () => core.ctx.clock.now() });
  }

  private busy: (portalId: number) => boolean = () => false;

  setIdentity(identity: IdentityResolver): void {
    this.identity = identity;
  }

  /** While a timeline burst is being logged, property writes wait (up to 10 s) to go out in fuller batches. */
  deferWhile(busy: (portalId: number) => boolean): void {
    this.busy = busy;
  }

  /**
   * Queues property writes in the caller's transaction (`q`) and makes sure a drain will run.
   * `define`: custom text properties among them, created in the app's group when missing.
   */
  async enqueue(q: Queryable, p: { portalId: number; contactId: number; properties: Record<string, PropertyValue>; define?: CustomPropertyDef[] }): Promise<void> {
    if (p.define?.length) await this.custom.declare(q, p.portalId, p.define);
    await this.enqueueMany(q, p.portalId, [{ contactId: p.contactId, properties: p.properties }]);
    await this.scheduleDrain(p.portalId, q);
  }

  /** Merges writes without scheduling (the timeline's own drain schedules one). */
  async enqueueMany(q: Queryable, portalId: number, items: Array<{ contactId: number; properties: Record<string, PropertyValue> }>): Promise<void> {
    // Sorted, so concurrent writers lock contact rows in the same order (no deadlocks).
    items = [...items].sort((x, y) => x.contactId - y.contactId);
    const unknown = [...new Set(items.flatMap((i) => Object.keys(i.properties)))].filter((k) => !isBuiltInProperty(k));
    const custom = await this.custom.declared(q, portalId, unknown);
    const rows: Array<{ contactId: number; properties: Record<string, string> }> = [];
    for (const i of items) {
      const { ok, dropped } = sanitizeProperties(Object.fromEntries(Object.entries(i.properties).map(([k, v]) => [k, toHubSpotValue(v)])), custom);
      if (dropped.length) this.ctx.logger.warn({ portalId, dropped }, 'hubspot: unknown contact properties not written');
      if (Object.keys(ok).length) rows.push({ contactId: i.contactId, properties: ok });
    }
    if (!rows.length) return;
    const values = rows.map((i) => JSON.stringify(i.properties));
    await q.query(
      `INSERT INTO hubspot_property_outbox (contact_id, portal_id, properties)
       SELECT v.contact_id, $1, v.props::jsonb FROM unnest($2::bigint[], $3::text[]) AS v(contact_id, props)
       ON CONFLICT (contact_id) DO UPDATE SET properties = hubspot_property_outbox.properties || EXCLUDED.properties,
         version = hubspot_property_outbox.version + 1, attempts = 0, updated_at = now()`,
      [portalId, rows.map((i) => i.contactId), values],
    );
  }

  async portalsWithBacklog(): Promise<number[]> {
    const r = await this.ctx.db.query<{ portal_id: number }>(
      `SELECT DISTINCT o.portal_id FROM hubspot_property_outbox o JOIN portals p ON p.id = o.portal_id
        WHERE p.status = 'installed' AND p.refresh_token_enc IS NOT NULL AND o.attempts < $2
          AND (o.lease_until IS NULL OR o.lease_until < $1)`,
      [this.ctx.clock.now(), MAX_ATTEMPTS],
    );
    return r.rows.map((x) => Number(x.portal_id));
  }

  async step(portalId: number): Promise<StepResult> {
    if (!(await this.core.isConnected(portalId))) return { kind: 'blocked' };
    const now = this.ctx.clock.now().getTime();
    const ready = `portal_id = $1 AND attempts < ${MAX_ATTEMPTS} AND (lease_until IS NULL OR lease_until < $2)`;
    const w = await this.ctx.db.query<{ n: number; age: number | null }>(
      `SELECT count(*)::int AS n, (EXTRACT(EPOCH FROM (now() - min(updated_at))) * 1000)::float8 AS age
         FROM (SELECT updated_at FROM hubspot_property_outbox WHERE ${ready} ORDER BY updated_at LIMIT ${BATCH}) x`,
      [portalId, new Date(now)],
    );
    const { n, age } = w.rows[0]!;
    if (n === 0) return { kind: 'empty' };
    const wait = this.batchWindow(portalId, n, age, BATCH);
    if (wait) return wait;
    if (this.busy(portalId) && (age ?? 0) < BUSY_DEFER_MS) return { kind: 'linger', waitMs: 250 };

    if (!(await this.core.propertiesReady(portalId))) {
      try {
        await this.core.setupPortal(portalId);
      } catch (err) {
        if (err instanceof PortalNotConnectedError) return { kind: 'blocked' };
        throw err;
      }
    }

    const claimed = await this.ctx.db.query<Claimed>(
      `UPDATE hubspot_property_outbox SET lease_owner = $3, lease_until = $4
        WHERE contact_id IN (SELECT contact_id FROM hubspot_property_outbox WHERE ${ready} ORDER BY updated_at LIMIT ${CLAIM} FOR UPDATE SKIP LOCKED)
        RETURNING contact_id, properties, version`,
      [portalId, new Date(now), this.core.instanceId, new Date(now + OUTBOX.leaseMs)],
    );
    if (!claimed.rows.length) return { kind: 'empty' };
    const rows = await this.withoutUnusable(portalId, claimed.rows.map((r) => ({ ...r, contact_id: Number(r.contact_id) })));
    if (rows === 'blocked') return { kind: 'blocked' };
    if (!rows.length) return { kind: 'progress' };

    const links = await this.identity.ensureMany(portalId, rows.map((r) => r.contact_id));
    let firstError: Error | undefined;
    const sendable: typeof rows = [];
    for (const r of rows) {
      const o = links.get(r.contact_id);
      if (o instanceof PortalNotConnectedError) {
        await this.clearLeases(rows.map((x) => x.contact_id));
        return { kind: 'blocked' };
      }
      if (typeof o === 'string') sendable.push(r);
      else firstError ??= o instanceof Error ? o : new Error('contact not linked');
    }
    const failed = rows.filter((r) => !sendable.includes(r)).map((r) => r.contact_id);
    await this.fail(failed, firstError?.message ?? 'contact not linked');

    const client = this.core.client(portalId);
    for (let i = 0; i < sendable.length; i += BATCH) {
      const chunk = sendable.slice(i, i + BATCH);
      const inputs = chunk.map((r) => ({ id: links.get(r.contact_id) as string, properties: r.properties }));
      try {
        const res = await client.batchUpdateContacts(inputs);
        const missing = new Set((res.errors ?? []).flatMap((e) => e.context?.ids ?? []));
        if (missing.size) await this.identity.unlink(portalId, [...missing]);
        const done = chunk.filter((r) => !missing.has(links.get(r.contact_id) as string));
        await this.complete(done);
        await this.clearLeases(chunk.filter((r) => missing.has(links.get(r.contact_id) as string)).map((r) => r.contact_id));
      } catch (err) {
        if (err instanceof PortalNotConnectedError) {
          await this.clearLeases(sendable.slice(i).map((r) => r.contact_id));
          return { kind: 'blocked' };
        }
        if (err instanceof HubSpotApiError && err.status === 400 && /PROPERTY_DOESNT_EXIST|does not exist/i.test(err.message)) {
          // Deleted in HubSpot since: the app's own are created again, custom ones checked again.
          await this.ctx.db.query('UPDATE hubspot_portal_state SET properties_ready = false WHERE portal_id = $1', [portalId]);
          this.core.forgetReady(portalId);
          await this.custom.forget(portalId);
        }
        await this.fail(sendable.slice(i).map((r) => r.contact_id), (err as Error).message);
        throw err;
      }
    }
    if (firstError) throw firstError;
    return { kind: 'progress' };
  }

  /**
   * The claimed rows with their custom properties made sure of at HubSpot: values for a property that
   * cannot take them are left out (a whole batch would be refused), and a row left with nothing is done.
   */
  private async withoutUnusable(portalId: number, rows: Claimed[]): Promise<Claimed[] | 'blocked'> {
    const names = [...new Set(rows.flatMap((r) => Object.keys(r.properties)))].filter((k) => !isBuiltInProperty(k));
    if (!names.length) return rows;
    let unusable: Set<string>;
    try {
      unusable = await this.custom.ensure(this.core.client(portalId), portalId, names);
    } catch (err) {
      if (err instanceof PortalNotConnectedError) {
        await this.clearLeases(rows.map((r) => r.contact_id));
        return 'blocked';
      }
      await this.fail(rows.map((r) => r.contact_id), (err as Error).message);
      throw err;
    }
    if (!unusable.size) return rows;
    const kept = rows.map((r) => ({ ...r, properties: Object.fromEntries(Object.entries(r.properties).filter(([k]) => !unusable.has(k))) }));
    await this.complete(kept.filter((r) => !Object.keys(r.properties).length));
    return kept.filter((r) => Object.keys(r.properties).length);
  }

  /** Sent: drop the rows unless newer values were merged in meanwhile (those go out next round). */
  private async complete(rows: Array<{ contact_id: number; version: number }>): Promise<void> {
    if (!rows.length) return;
    await this.ctx.db.query(
      `DELETE FROM hubspot_property_outbox o USING unnest($1::bigint[], $2::int[]) AS v(contact_id, version)
        WHERE o.contact_id = v.contact_id AND o.version = v.version`,
      [rows.map((r) => r.contact_id), rows.map((r) => r.version)],
    );
    await this.clearLeases(rows.map((r) => r.contact_id));
  }

  private async clearLeases(ids: number[]): Promise<void> {
    if (ids.length)
      await this.ctx.db.query('UPDATE hubspot_property_outbox SET lease_owner = NULL, lease_until = NULL WHERE contact_id = ANY($1::bigint[])', [ids]);
  }

  private async fail(ids: number[], message: string): Promise<void> {
    if (!ids.length) return;
    const now = this.ctx.clock.now();
    await this.ctx.db.query(
      `UPDATE hubspot_property_outbox SET attempts = attempts + 1, last_error = $2, lease_owner = NULL,
         lease_until = ${OUTBOX.backoffSql('attempts', '$3')}
       WHERE contact_id = ANY($1::bigint[])`,
      [ids, message.slice(0, 500), now],
    );
  }
}

import type { Database, Queryable } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { HubSpotClient } from './client.js';
import { HubSpotApiError } from './errors.js';
import { PROPERTY_GROUP } from './properties.js';

/**
 * Custom contact properties the app writes (a bot flow's collect step, issue 15): neither the app's
 * own `wa_*` properties nor the standard ones HubSpot always has. A value is queued with its
 * property's definition (`declare`, in the caller's transaction); before the outbox writes it, the
 * property is made sure of at HubSpot (`ensure`): read, created in the app's group when missing, or
 * found unusable (not a writable text property), in which case its values are not written.
 */

export interface CustomPropertyDef {
  name: string;
  label: string;
}

/** HubSpot's property name rule (lower case, digits, underscores, a letter first). */
export const CUSTOM_PROPERTY_NAME = /^[a-z][a-z0-9_]{0,99}$/;

/** A property found unusable is looked at again after this long, when new values come for it. */
const RECHECK_CONFLICT_MS = 10 * 60_000;

/** The text field types a collected answer may go in. */
const TEXT_FIELDS = new Set(['text', 'textarea', 'phonenumber']);

interface Row {
  name: string;
  label: string;
  state: 'pending' | 'ready' | 'conflict';
}

interface HubSpotProperty {
  name: string;
  type?: string;
  fieldType?: string;
  calculated?: boolean;
  modificationMetadata?: { readOnlyValue?: boolean };
}

/** Why an existing HubSpot property cannot take a collected text; null when it can. */
export function unusableBecause(p: HubSpotProperty): string | null {
  if (p.calculated || p.modificationMetadata?.readOnlyValue) return `HubSpot property ${p.name} is read-only`;
  if (p.type !== 'string' || !TEXT_FIELDS.has(String(p.fieldType))) {
    return `HubSpot property ${p.name} is of type ${p.type ?? '?'} (${p.fieldType ?? '?'}); a collected answer needs a single-line or multi-line text property`;
  }
  return null;
}

/** A text property in the app's group, as the app creates it. */
function definition(d: CustomPropertyDef): object {
  return {
    name: d.name,
    label: d.label,
    description: 'Filled by the WhatsApp bot flow with what the customer answered.',
    groupName: PROPERTY_GROUP.name,
    type: 'string',
    fieldType: 'text',
    formField: false,
    dataSensitivity: 'non_sensitive',
  };
}

export class CustomProperties {
  constructor(private readonly d: { db: Database; logger: Logger; now: () => Date }) {}

  /** Records (in the caller's transaction) that values will be written to these properties. */
  async declare(q: Queryable, portalId: number, defs: CustomPropertyDef[]): Promise<void> {
    if (!defs.length) return;
    // A property found unusable a while ago is checked again: the admin may have fixed it in HubSpot.
    await q.query(
      `INSERT INTO hubspot_custom_properties (portal_id, name, label)
       SELECT $1, v.name, v.label FROM unnest($2::text[], $3::text[]) AS v(name, label)
       ON CONFLICT (portal_id, name) DO UPDATE SET
         label = CASE WHEN hubspot_custom_properties.state = 'ready' THEN hubspot_custom_properties.label ELSE EXCLUDED.label END,
         state = CASE WHEN hubspot_custom_properties.state = 'conflict' AND hubspot_custom_properties.checked_at < $4 THEN 'pending' ELSE hubspot_custom_properties.state END`,
      [portalId, defs.map((x) => x.name), defs.map((x) => x.label), new Date(this.d.now().getTime() - RECHECK_CONFLICT_MS)],
    );
  }

  /** The names among `names` declared for the portal (the others are not the app's to write). */
  async declared(q: Queryable, portalId: number, names: string[]): Promise<Set<string>> {
    if (!names.length) return new Set();
    const r = await q.query<{ name: string }>('SELECT name FROM hubspot_custom_properties WHERE portal_id = $1 AND name = ANY($2::text[])', [portalId, names]);
    return new Set(r.rows.map((x) => x.name));
  }

  /** A property HubSpot said does not exist (deleted since): checked again before the next write. */
  async forget(portalId: number): Promise<void> {
    await this.d.db.query(`UPDATE hubspot_custom_properties SET state = 'pending' WHERE portal_id = $1 AND state = 'ready'`, [portalId]);
  }

  /**
   * Makes sure each declared property among `names` exists at HubSpot and takes text (creating
   * the missing ones in the app's group); returns the names whose values must not be written.
   */
  async ensure(client: HubSpotClient, portalId: number, names: string[]): Promise<Set<string>> {
    const r = await this.d.db.query<Row>('SELECT name, label, state FROM hubspot_custom_properties WHERE portal_id = $1 AND name = ANY($2::text[])', [portalId, names]);
    const rows = new Map(r.rows.map((x) => [x.name, x]));
    const pending = r.rows.filter((x) => x.state === 'pending');
    if (pending.length) await this.check(client, portalId, pending, rows);
    return new Set(names.filter((n) => rows.get(n)?.state !== 'ready'));
  }

  private async check(client: HubSpotClient, portalId: number, pending: Row[], rows: Map<string, Row>): Promise<void> {
    const verdicts = new Map<string, string | null>();
    const read = async (list: Row[]) => {
      for (const p of (await client.batchReadProperties(list.map((x) => x.name))).results ?? []) verdicts.set(p.name, unusableBecause(p));
    };
    await read(pending);
    const missing = pending.filter((x) => !verdicts.has(x.name));
    if (missing.length) {
      await this.group(client);
      let res: Awaited<ReturnType<HubSpotClient['batchCreateProperties']>> = { results: [] };
      try {
        res = await client.batchCreateProperties(missing.map(definition));
      } catch (err) {
        // Some HubSpot versions answer a batch where every property exists with a plain 409.
        if (!(err instanceof HubSpotApiError && err.status === 409)) throw err;
      }
      for (const p of res.results ?? []) verdicts.set(p.name, null);
      // Created meanwhile by someone else (another instance, an admin): what it is decides.
      const raced = missing.filter((x) => !verdicts.has(x.name));
      if (raced.length) await read(raced);
      for (const x of missing) {
        if (verdicts.has(x.name)) continue;
        const e = (res.errors ?? []).find((er) => (er.context?.name ?? []).includes(x.name)) ?? res.errors?.[0];
        verdicts.set(x.name, `HubSpot did not create property ${x.name}: ${e?.message ?? 'no reason given'} (an archived property keeps its name: restore it or pick another)`);
      }
    }
    const now = this.d.now();
    for (const [name, why] of verdicts) {
      const state = why ? 'conflict' : 'ready';
      rows.set(name, { ...rows.get(name)!, state });
      await this.d.db.query('UPDATE hubspot_custom_properties SET state = $3, detail = $4, checked_at = $5 WHERE portal_id = $1 AND name = $2', [portalId, name, state, why, now]);
      if (why) this.d.logger.warn({ portalId, property: name, why }, 'hubspot: custom contact property not usable; its values are not written');
      else this.d.logger.info({ portalId, property: name }, 'hubspot: custom contact property ready');
    }
  }

  private async group(client: HubSpotClient): Promise<void> {
    try {
      await client.createPropertyGroup(PROPERTY_GROUP);
    } catch (err) {
      if (!(err instanceof HubSpotApiError && err.status === 409)) throw err;
    }
  }
}

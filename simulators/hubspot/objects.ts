// CRM record lifecycle (create / update / archive), uniqueness, and the SimplePublicObject shape.
import { associationsBlock } from './associations.js';
import { apiError, validationError } from './errors.js';
import { searchablePhone } from './phone.js';
import { CALCULATED_MOBILE, CALCULATED_PHONE } from './schemas.js';
import { nextId, SINGULAR } from './store.js';
import type { PropertyInput } from './values.js';
import type { CrmRecord, ObjectTypeName, Portal } from './types.js';

export interface ObjectConfig {
  type: ObjectTypeName;
  /** properties returned when the request names none */
  defaultProperties: string[];
  /** properties always returned, next to the requested ones */
  baseProperties: string[];
  createdProperty: string;
  modifiedProperty: string;
  /** required on create */
  required: string[];
  /** values set on create when absent */
  defaults: Record<string, string>;
  /** upper-case name used in HubSpot's batch error messages */
  errorLabel: string;
}

export const OBJECT_CONFIGS: Record<ObjectTypeName, ObjectConfig> = {
  contacts: {
    type: 'contacts',
    defaultProperties: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
    baseProperties: ['createdate', 'hs_object_id', 'lastmodifieddate'],
    createdProperty: 'createdate',
    modifiedProperty: 'lastmodifieddate',
    required: [],
    defaults: {},
    errorLabel: 'CONTACT',
  },
  communications: {
    type: 'communications',
    defaultProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    baseProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    createdProperty: 'hs_createdate',
    modifiedProperty: 'hs_lastmodifieddate',
    required: ['hs_communication_channel_type', 'hs_communication_logged_from', 'hs_timestamp'],
    defaults: {},
    errorLabel: 'COMMUNICATION',
  },
  tasks: {
    type: 'tasks',
    defaultProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    baseProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    createdProperty: 'hs_createdate',
    modifiedProperty: 'hs_lastmodifieddate',
    required: ['hs_timestamp'],
    defaults: { hs_task_status: 'NOT_STARTED' },
    errorLabel: 'TASK',
  },
};

function applyDerived(rec: CrmRecord): void {
  if (rec.objectType !== 'contacts') return;
  const set = (name: string, v: string | undefined) => {
    if (v === undefined) delete rec.properties[name];
    else rec.properties[name] = v;
  };
  set(CALCULATED_PHONE, searchablePhone(rec.properties.phone));
  set(CALCULATED_MOBILE, searchablePhone(rec.properties.mobilephone));
}

function snapshot(rec: CrmRecord, at: number): void {
  rec.index.push({ at, properties: { ...rec.properties }, archived: rec.archived });
}

function applyProps(rec: CrmRecord, props: PropertyInput): void {
  for (const [k, v] of Object.entries(props)) {
    if (v === '') delete rec.properties[k];
    else rec.properties[k] = v;
  }
}

/** Properties with hasUniqueValue (contacts: email) must not collide with another live record. */
export function checkUnique(portal: Portal, type: ObjectTypeName, props: PropertyInput, selfId?: string): void {
  const schema = portal.schemas[type].properties;
  for (const [name, value] of Object.entries(props)) {
    if (value === '' || !schema.get(name)?.hasUniqueValue) continue;
    for (const rec of portal[type].values()) {
      if (rec.archived || rec.id === selfId) continue;
      const existing = rec.properties[name];
      if (existing !== undefined && existing.toLowerCase() === value.toLowerCase()) {
        if (type === 'contacts' && name === 'email') {
          throw apiError(409, 'CONFLICT', `Contact already exists. Existing ID: ${rec.id}`);
        }
        throw apiError(409, 'CONFLICT', `A ${SINGULAR[type]} with ${name}=${value} already exists. Existing ID: ${rec.id}`);
      }
    }
  }
}

export function createRecord(portal: Portal, cfg: ObjectConfig, props: PropertyInput, now: number): CrmRecord {
  const id = nextId(portal);
  const iso = new Date(now).toISOString();
  const rec: CrmRecord = {
    id,
    objectType: cfg.type,
    properties: {},
    createdAt: now,
    updatedAt: now,
    archived: false,
    associations: new Map(),
    index: [],
  };
  applyProps(rec, { ...cfg.defaults, ...props });
  if (!rec.properties[cfg.createdProperty]) rec.properties[cfg.createdProperty] = iso;
  rec.properties[cfg.modifiedProperty] = iso;
  rec.properties.hs_object_id = id;
  applyDerived(rec);
  portal[cfg.type].set(id, rec);
  snapshot(rec, now);
  return rec;
}

export function updateRecord(rec: CrmRecord, cfg: ObjectConfig, props: PropertyInput, now: number): void {
  applyProps(rec, props);
  rec.updatedAt = now;
  rec.properties[cfg.modifiedProperty] = new Date(now).toISOString();
  applyDerived(rec);
  snapshot(rec, now);
}

export function archiveRecord(rec: CrmRecord, now: number): void {
  if (rec.archived) return;
  rec.archived = true;
  rec.archivedAt = now;
  rec.updatedAt = now;
  snapshot(rec, now);
}

/** Re-indexes a record (e.g. after an association change) without touching properties. */
export function touch(rec: CrmRecord, now: number): void {
  snapshot(rec, now);
}

/** Finds a live record by id or by a unique property (idProperty). */
export function findRecord(
  portal: Portal,
  type: ObjectTypeName,
  idValue: string,
  idProperty?: string,
  includeArchived = false,
): CrmRecord | undefined {
  if (idProperty && idProperty !== 'hs_object_id') {
    const def = portal.schemas[type].properties.get(idProperty);
    if (!def || !def.hasUniqueValue) {
      throw validationError(`${idProperty} is not a unique identifier property for ${SINGULAR[type]}`);
    }
    const want = idValue.toLowerCase();
    for (const rec of portal[type].values()) {
      if ((includeArchived || !rec.archived) && rec.properties[idProperty]?.toLowerCase() === want) return rec;
    }
    return undefined;
  }
  const rec = portal[type].get(idValue);
  if (!rec || (rec.archived && !includeArchived)) return undefined;
  return rec;
}

export interface SerializeOptions {
  /** requested properties; undefined → the type's defaults */
  properties?: string[];
  /** return every stored property (create/update responses) */
  all?: boolean;
  associations?: ObjectTypeName[];
}

export function serialize(portal: Portal, rec: CrmRecord, cfg: ObjectConfig, o: SerializeOptions = {}): Record<string, unknown> {
  let properties: Record<string, string | null>;
  if (o.all) {
    properties = { ...rec.properties };
  } else {
    const schema = portal.schemas[cfg.type].properties;
    const names = o.properties && o.properties.length
      ? [...new Set([...cfg.baseProperties, ...o.properties])]
      : cfg.defaultProperties;
    properties = {};
    for (const n of names.sort()) {
      if (!schema.has(n)) continue; // HubSpot silently skips unknown requested properties
      properties[n] = rec.properties[n] ?? null;
    }
  }
  const out: Record<string, unknown> = {
    id: rec.id,
    properties,
    createdAt: new Date(rec.createdAt).toISOString(),
    updatedAt: new Date(rec.updatedAt).toISOString(),
    archived: rec.archived,
  };
  if (rec.archived && rec.archivedAt !== undefined) out.archivedAt = new Date(rec.archivedAt).toISOString();
  if (o.associations?.length) {
    const block = associationsBlock(rec, o.associations);
    if (block) out.associations = block;
  }
  return out;
}

/** `?properties=a,b&properties=c` → ['a','b','c'] */
export function listParam(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  const arr = Array.isArray(v) ? v : [v];
  const out = arr.flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
  return out.length ? out : undefined;
}

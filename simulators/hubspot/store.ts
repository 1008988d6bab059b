// Portal state: creation, object-type names, ids and tokens.
import { randomBytes, randomUUID } from 'node:crypto';
import { defaultSchemas } from './schemas.js';
import type { CreatePortalInput, CrmRecord, ObjectTypeName, Portal, PortalUser, PublicOwner } from './types.js';

/** Every spelling HubSpot accepts for an object type in a path. */
const OBJECT_TYPE_ALIASES: Record<string, ObjectTypeName> = {
  contacts: 'contacts', contact: 'contacts', '0-1': 'contacts',
  communications: 'communications', communication: 'communications', '0-18': 'communications',
  tasks: 'tasks', task: 'tasks', '0-27': 'tasks',
};

export function resolveObjectType(name: string): ObjectTypeName | undefined {
  return OBJECT_TYPE_ALIASES[name.toLowerCase()];
}

export const OBJECT_TYPE_IDS: Record<ObjectTypeName, string> = {
  contacts: '0-1', communications: '0-18', tasks: '0-27',
};

/** Singular names HubSpot uses in v3 association type names and error messages. */
export const SINGULAR: Record<ObjectTypeName, string> = {
  contacts: 'contact', communications: 'communication', tasks: 'task',
};

let portalSeq = 0;
let userSeq = 0;

export function newPortal(p: CreatePortalInput = {}, nowMs: number): Portal {
  portalSeq += 1;
  const portalId = p.portalId ?? 24_000_000 + portalSeq * 137;
  const domain = p.domain ?? `portal-${portalId}.example.com`;
  const users: PortalUser[] = (p.users ?? []).map((u) => ({ ...u }));
  if (users.length === 0) {
    userSeq += 1;
    users.push({ userId: 5_100_000 + userSeq, email: `admin${userSeq}@${domain}`, firstName: 'Admin', lastName: `User ${userSeq}` });
  }
  const schemas = defaultSchemas();
  const portal: Portal = {
    portalId,
    domain,
    users,
    owners: new Map(),
    installed: false,
    contacts: new Map(),
    communications: new Map(),
    tasks: new Map(),
    properties: schemas.contacts.properties,
    groups: schemas.contacts.groups,
    schemas,
    tokens: { access: new Map(), refresh: new Map() },
    // ids are shared across object types so a contact id never doubles as a communication id
    nextObjectId: 50_000 + (portalSeq % 97) * 1000 + 1,
    lists: new Map(),
  };
  users.forEach((u, i) => addOwner(portal, u, nowMs, i));
  return portal;
}

export function addOwner(portal: Portal, u: PortalUser, nowMs: number, i = portal.owners.size): PublicOwner {
  // owner ids are deliberately unrelated to user ids (the classic mix-up)
  const id = String(74_000_000 + portal.portalId % 1000 * 100 + i + 1);
  const iso = new Date(nowMs).toISOString();
  const owner: PublicOwner = {
    id,
    email: u.email,
    type: 'PERSON',
    firstName: u.firstName,
    lastName: u.lastName,
    userId: u.userId,
    userIdIncludingInactive: u.userId,
    createdAt: iso,
    updatedAt: iso,
    archived: false,
    teams: [],
  };
  portal.owners.set(id, owner);
  return owner;
}

export function recordsOf(portal: Portal, type: ObjectTypeName): Map<string, CrmRecord> {
  return portal[type];
}

export function nextId(portal: Portal): string {
  const id = portal.nextObjectId;
  portal.nextObjectId += 1 + (id % 3); // not consecutive, like real ids
  return String(id);
}

/** Access tokens are long opaque strings (HubSpot's are ~300 chars): catches VARCHAR(255) columns. */
export function newAccessToken(): string {
  return 'CN' + randomBytes(240).toString('base64url');
}

export function newRefreshToken(): string {
  return `na1-${randomUUID().slice(0, 4)}-${randomUUID()}`;
}

export function newAuthCode(): string {
  return `na1-${randomUUID()}`;
}

// Shared types of the HubSpot simulator. Everything here is plain data so tests can inspect it.

export type ObjectTypeName = 'contacts' | 'communications' | 'tasks';

export interface PropertyOption {
  label: string;
  value: string;
  description?: string;
  displayOrder?: number;
  hidden?: boolean;
}

export interface PropertyDefinition {
  name: string;
  label: string;
  type: string; // bool | date | datetime | enumeration | number | phone_number | string
  fieldType: string;
  description: string;
  groupName: string;
  options: PropertyOption[];
  displayOrder: number;
  calculated: boolean;
  externalOptions: boolean;
  referencedObjectType?: string;
  hasUniqueValue: boolean;
  hidden: boolean;
  hubspotDefined?: boolean;
  formField: boolean;
  dataSensitivity: 'non_sensitive' | 'sensitive' | 'highly_sensitive';
  modificationMetadata: { archivable: boolean; readOnlyDefinition: boolean; readOnlyValue: boolean };
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface PropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

export interface ObjectSchema {
  properties: Map<string, PropertyDefinition>;
  groups: Map<string, PropertyGroup>;
}

export interface AssociationType {
  associationCategory: 'HUBSPOT_DEFINED' | 'USER_DEFINED' | 'INTEGRATOR_DEFINED';
  associationTypeId: number;
}

/** A snapshot of a record as the search index sees it. */
export interface IndexEntry {
  at: number; // ms when the write happened; visible to search from at + searchIndexLagMs
  properties: Record<string, string>;
  archived: boolean;
}

export interface CrmRecord {
  id: string;
  objectType: ObjectTypeName;
  properties: Record<string, string>; // only non-empty values are stored
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt?: number;
  /** toObjectType → toObjectId → association types (both directions are stored). */
  associations: Map<ObjectTypeName, Map<string, AssociationType[]>>;
  /** history used to model search indexing lag; newest last */
  index: IndexEntry[];
}

export interface PortalUser {
  userId: number;
  email: string;
  firstName: string;
  lastName: string;
}

export interface PublicOwner {
  id: string;
  email: string;
  type: 'PERSON' | 'QUEUE';
  firstName: string;
  lastName: string;
  userId: number;
  userIdIncludingInactive: number;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  teams: Array<{ id: string; name: string; primary: boolean }>;
}

export interface AccessTokenRecord {
  token: string;
  portalId: number;
  userId: number;
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
  refreshToken: string;
}

export interface RefreshTokenRecord {
  token: string;
  portalId: number;
  userId: number;
  scopes: string[];
  issuedAt: number;
  revoked: boolean;
}

export interface Portal {
  portalId: number;
  domain: string;
  users: PortalUser[];
  owners: Map<string, PublicOwner>;
  installed: boolean;
  installedAt?: number;
  installingUserId?: number;
  uninstalledAt?: number;
  contacts: Map<string, CrmRecord>;
  communications: Map<string, CrmRecord>;
  tasks: Map<string, CrmRecord>;
  /** contact property definitions (same Map as schemas.contacts.properties) */
  properties: Map<string, PropertyDefinition>;
  /** contact property groups (same Map as schemas.contacts.groups) */
  groups: Map<string, PropertyGroup>;
  schemas: Record<ObjectTypeName, ObjectSchema>;
  tokens: { access: Map<string, AccessTokenRecord>; refresh: Map<string, RefreshTokenRecord> };
  nextObjectId: number;
  /** Lists (segments) by list id: /crm/lists/2026-03. */
  lists: Map<string, SimList>;
}

/** A HubSpot list: its members are record ids with the time they joined. */
export interface SimList {
  listId: string;
  name: string;
  /** '0-1' for contacts. */
  objectTypeId: string;
  processingType: 'MANUAL' | 'DYNAMIC' | 'SNAPSHOT';
  listVersion: number;
  createdAt: number;
  updatedAt: number;
  createdById: string;
  /** record id → ms it was added */
  members: Map<string, number>;
  deleted?: boolean;
}

export interface Counters {
  byKind: Record<string, number>;
  total: number;
  rateLimited: number;
}

export interface HubSpotSimulatorOptions {
  clientId: string;
  clientSecret: string;
  /** allowed redirect_uri values (exact match); empty or absent → any */
  redirectUris?: string[];
  /** default 110 per rolling 10 s and 5 searches per second, per portal */
  rateLimit?: { perTenSeconds: number; searchPerSecond: number };
  /** default 1800 */
  accessTokenTtlSeconds?: number;
  /** a contact written less than this many ms ago is not yet visible to search (default 0) */
  searchIndexLagMs?: number;
  /** scopes the app's config requires; when set, the authorize URL's `scope` must contain them all */
  requiredScopes?: string[];
  /** the app id HubSpot reports in introspection and webhooks (default 3100001) */
  appId?: number;
  /** name on the install page (default "WhatsApp for HubSpot") */
  appName?: string;
  now?: () => number;
}

export interface ResolvedOptions {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  rateLimit: { perTenSeconds: number; searchPerSecond: number };
  accessTokenTtlSeconds: number;
  searchIndexLagMs: number;
  requiredScopes: string[];
  appId: number;
  appName: string;
  now: () => number;
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  redirectUri: string;
  portalId: number;
  userId: number;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

/** Shared mutable state handed to every route module. */
export interface SimState {
  opts: ResolvedOptions;
  portals: Map<number, Portal>;
  counters: Counters;
  codes: Map<string, AuthorizationCode>;
  /** token string → portal id, for both access and refresh tokens */
  tokenIndex: Map<string, number>;
  pendingInstall?: { portalId: number; userId: number };
  createPortal(p?: CreatePortalInput): Portal;
}

export interface CreatePortalInput {
  portalId?: number;
  domain?: string;
  users?: Array<{ userId: number; email: string; firstName: string; lastName: string }>;
}

/** What the auth middleware puts in res.locals.auth */
export interface AuthContext {
  portal: Portal;
  token: AccessTokenRecord;
}

import type { Logger } from '../logger.js';
import { HubSpotApiError, HubSpotInDoubtError, HubSpotRateLimitedError } from './errors.js';
import type { Lane, PortalLimiter } from './rate-limiter.js';
import type { TokenManager } from './tokens.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** `search` for CRM search endpoints (their own 5/s budget). */
  lane?: Lane;
  /** Safe to repeat (reads, searches, updates). A create is not: on a lost answer it throws HubSpotInDoubtError. */
  idempotent: boolean;
  /** What the call is, for metrics and logs (`contacts.search`, `communications.batch.create`, …). */
  label: string;
}

export interface CallStats {
  byLabel: Record<string, number>;
  total: number;
  rateLimited: number;
  retries: number;
}

export interface ClientDeps {
  baseUrl: string;
  tokens: TokenManager;
  limiter: PortalLimiter;
  logger: Logger;
  stats: CallStats;
  /** Per-request timeout, default 15 s. */
  timeoutMs?: number;
}

export interface BatchResult<T> {
  status?: string;
  results: T[];
  numErrors?: number;
  errors?: Array<{ status?: string; category?: string; message?: string; context?: Record<string, string[]> }>;
}

export interface CrmObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
}

export interface SearchResponse {
  total: number;
  results: CrmObject[];
  paging?: { next?: { after: string } };
}

/** HubSpot's PublicOwner as the API returns it. */
export interface PublicOwner {
  id: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  userId?: number;
  type?: string;
  archived?: boolean;
  teams?: Array<{ id: string; name: string; primary?: boolean }>;
}

/** An owner as other domains use it: `ownerId` goes in hubspot_owner_id; `userId` is the HubSpot user id. */
export interface HubSpotOwner {
  /** The owner id (same as ownerId). */
  id: string;
  ownerId: string;
  type: string;
  archived: boolean;
  userId: number | null;
  email: string;
  name: string;
  firstName: string;
  lastName: string;
  teams: Array<{ id: string; name: string }>;
}

export interface AssociationInput {
  to: { id: string };
  types: Array<{ associationCategory: 'HUBSPOT_DEFINED'; associationTypeId: number }>;
}

/** A list as `GET /crm/lists/2026-03/{listId}` returns it (the fields we use). */
export interface HubSpotList {
  listId: string;
  name: string;
  objectTypeId: string;
  processingType: string;
  size?: number;
  additionalProperties?: Record<string, string>;
}

export interface MembershipsPage {
  results: Array<{ recordId: string; membershipTimestamp?: string }>;
  paging?: { next?: { after: string } };
  total?: number;
}

export const ASSOCIATION = { communicationToContact: 81, taskToContact: 204 } as const;

const MAX_RATE_LIMIT_RETRIES = 6;
const MAX_SERVER_RETRIES = 3;

/**
 * One portal's HubSpot REST client for the 2026-03 endpoints we use: every call waits for the
 * portal's shared limiter, carries a fresh token (one refresh + retry on 401), honours a 429 by its
 * policyName, and retries 5xx / network errors with backoff when the call is safe to repeat.
 */
export class HubSpotClient {
  constructor(
    readonly portalId: number,
    private readonly deps: ClientDeps,
  ) {}

  async request<T>(o: RequestOptions): Promise<T> {
    const lane = o.lane ?? 'general';
    let stale: string | undefined;
    let refreshed = false;
    let limited = 0;
    let failures = 0;
    const qs = o.query
      ? '?' +
        new URLSearchParams(
          Object.entries(o.query)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, String(v)] as [string, string]),
        ).toString()
      : '';
    const url = `${this.deps.baseUrl}${o.path}${qs}`;
    for (;;) {
      const token = await this.deps.tokens.accessToken(this.portalId, stale);
      await this.deps.limiter.acquire(lane);
      this.deps.stats.total++;
      this.deps.stats.byLabel[o.label] = (this.deps.stats.byLabel[o.label] ?? 0) + 1;
      let res: Response;
      try {
        res = await fetch(url, {
          method: o.method,
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: 'application/json',
            ...(o.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
          body: o.body !== undefined ? JSON.stringify(o.body) : undefined,
          signal: AbortSignal.timeout(this.deps.timeoutMs ?? 15_000),
        });
      } catch (err) {
        if (!o.idempotent) throw new HubSpotInDoubtError(o.label, err);
        if (++failures > MAX_SERVER_RETRIES) throw err;
        this.deps.stats.retries++;
        await sleep(200 * 2 ** (failures - 1));
        continue;
      }
      const remaining = res.headers.get('x-hubspot-ratelimit-remaining');
      if (remaining !== null) this.deps.limiter.observeRemaining(Number(remaining));
      const text = await res.text().catch(() => '');
      let body: any = undefined;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          body = { message: text.slice(0, 500) };
        }
      }
      if (res.status === 429) {
        const policy = typeof body?.policyName === 'string' ? body.policyName : undefined;
        this.deps.stats.rateLimited++;
        const waited = this.deps.limiter.onRateLimited(lane, policy);
        this.deps.logger.warn({ portalId: this.portalId, call: o.label, policy, waitMs: waited }, 'hubspot rate limited');
        if (++limited > MAX_RATE_LIMIT_RETRIES) throw new HubSpotRateLimitedError(o.label, policy);
        continue; // a 429 was not applied: safe to repeat
      }
      if (res.status === 401 && !refreshed) {
        refreshed = true;
        stale = token;
        continue;
      }
      if (res.status >= 500) {
        if (!o.idempotent) throw new HubSpotInDoubtError(o.label, new Error(`HTTP ${res.status}`));
        if (++failures > MAX_SERVER_RETRIES) throw new HubSpotApiError(res.status, body ?? {}, o.label);
        this.deps.stats.retries++;
        await sleep(200 * 2 ** (failures - 1));
        continue;
      }
      if (!res.ok) throw new HubSpotApiError(res.status, body ?? {}, o.label);
      return body as T;
    }
  }

  // ---- contacts ----
  searchContacts(body: object): Promise<SearchResponse> {
    return this.request({ method: 'POST', path: '/crm/objects/2026-03/contacts/search', body, lane: 'search', idempotent: true, label: 'contacts.search' });
  }
  batchCreateContacts(inputs: Array<{ properties: Record<string, string> }>): Promise<BatchResult<CrmObject>> {
    return this.request({ method: 'POST', path: '/crm/objects/2026-03/contacts/batch/create', body: { inputs }, idempotent: false, label: 'contacts.batch.create' });
  }
  batchUpdateContacts(inputs: Array<{ id: string; properties: Record<string, string> }>): Promise<BatchResult<CrmObject>> {
    return this.request({ method: 'POST', path: '/crm/objects/2026-03/contacts/batch/update', body: { inputs }, idempotent: true, label: 'contacts.batch.update' });
  }
  batchReadContacts(ids: string[], properties: string[]): Promise<BatchResult<CrmObject>> {
    return this.request({
      method: 'POST',
      path: '/crm/objects/2026-03/contacts/batch/read',
      body: { inputs: ids.map((id) => ({ id })), properties },
      idempotent: true,
      label: 'contacts.batch.read',
    });
  }

  // ---- communications (the WhatsApp timeline) ----
  batchCreateCommunications(
    inputs: Array<{ properties: Record<string, string>; associations: AssociationInput[] }>,
  ): Promise<BatchResult<CrmObject>> {
    return this.request({
      method: 'POST',
      path: '/crm/objects/2026-03/communications/batch/create',
      body: { inputs },
      idempotent: false,
      label: 'communications.batch.create',
    });
  }
  searchCommunications(body: object): Promise<SearchResponse> {
    return this.request({ method: 'POST', path: '/crm/objects/2026-03/communications/search', body, lane: 'search', idempotent: true, label: 'communications.search' });
  }

  // ---- tasks ----
  createTask(properties: Record<string, string>, associations: AssociationInput[]): Promise<CrmObject> {
    return this.request({ method: 'POST', path: '/crm/objects/2026-03/tasks', body: { properties, associations }, idempotent: false, label: 'tasks.create' });
  }
  batchUpdateTasks(inputs: Array<{ id: string; properties: Record<string, string> }>): Promise<BatchResult<CrmObject>> {
    return this.request({ method: 'POST', path: '/crm/objects/2026-03/tasks/batch/update', body: { inputs }, idempotent: true, label: 'tasks.batch.update' });
  }
  searchTasks(body: object): Promise<SearchResponse> {
    return this.request({ method: 'POST', path: '/crm/objects/2026-03/tasks/search', body, lane: 'search', idempotent: true, label: 'tasks.search' });
  }

  // ---- owners ----
  async listOwners(): Promise<HubSpotOwner[]> {
    const out: PublicOwner[] = [];
    let after: string | undefined;
    for (let page = 0; page < 50; page++) {
      const r = await this.request<{ results: PublicOwner[]; paging?: { next?: { after: string } } }>({
        method: 'GET',
        path: '/crm/owners/2026-03',
        query: { limit: 500, after, archived: false },
        idempotent: true,
        label: 'owners.list',
      });
      out.push(...r.results);
      after = r.paging?.next?.after;
      if (!after) break;
    }
    return out
      .filter((o) => !o.archived && (o.type ?? 'PERSON') === 'PERSON')
      .map((o) => ({
        id: String(o.id),
        ownerId: String(o.id),
        type: o.type ?? 'PERSON',
        archived: false,
        userId: typeof o.userId === 'number' ? o.userId : null,
        email: o.email ?? '',
        name: [o.firstName, o.lastName].filter(Boolean).join(' ') || o.email || String(o.id),
        firstName: o.firstName ?? '',
        lastName: o.lastName ?? '',
        teams: (o.teams ?? []).map((t) => ({ id: String(t.id), name: t.name })),
      }));
  }

  // ---- lists (crm.lists.read) ----
  getList(listId: string): Promise<{ list: HubSpotList }> {
    return this.request({ method: 'GET', path: `/crm/lists/2026-03/${encodeURIComponent(listId)}`, idempotent: true, label: 'lists.get' });
  }
  /** One page of a list's members, ordered by record id; at most 250 a page. */
  listMemberships(listId: string, after?: string, limit = 250): Promise<MembershipsPage> {
    return this.request({
      method: 'GET',
      path: `/crm/lists/2026-03/${encodeURIComponent(listId)}/memberships`,
      query: { limit, after },
      idempotent: true,
      label: 'lists.memberships',
    });
  }
  searchLists(body: {
    query?: string;
    objectTypeId?: string;
    offset: number;
    count?: number;
    processingTypes: string[];
    listIds: string[];
    additionalProperties: string[];
  }): Promise<{ lists: HubSpotList[]; hasMore: boolean; offset: number; total: number }> {
    return this.request({ method: 'POST', path: '/crm/lists/2026-03/search', body, idempotent: true, label: 'lists.search' });
  }

  // ---- properties ----
  createPropertyGroup(group: { name: string; label: string; displayOrder: number }): Promise<unknown> {
    return this.request({ method: 'POST', path: '/crm/properties/2026-03/contacts/groups', body: group, idempotent: true, label: 'properties.groups.create' });
  }
  batchCreateProperties(inputs: object[]): Promise<BatchResult<{ name: string }>> {
    return this.request({ method: 'POST', path: '/crm/properties/2026-03/contacts/batch/create', body: { inputs }, idempotent: true, label: 'properties.batch.create' });
  }
  /** The definitions of those contact properties that exist (not archived). */
  batchReadProperties(names: string[]): Promise<BatchResult<{ name: string; type?: string; fieldType?: string; calculated?: boolean; modificationMetadata?: { readOnlyValue?: boolean } }>> {
    return this.request({ method: 'POST', path: '/crm/properties/2026-03/contacts/batch/read', body: { archived: false, inputs: names.map((name) => ({ name })) }, idempotent: true, label: 'properties.batch.read' });
  }
}

// A faithful in-process simulator of the HubSpot APIs the app uses (see README.md).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { makeGuard } from './auth.js';
import { apiError, errorHandler } from './errors.js';
import { issueTokens, oauthRouter, revokeAllTokens } from './oauth.js';
import { OBJECT_CONFIGS } from './objects.js';
import { RateLimiter } from './rate-limit.js';
import { associationsRouter } from './routes-associations.js';
import { objectRouter } from './routes-objects.js';
import { listsRouter } from './routes-lists.js';
import { ownersRouter } from './routes-owners.js';
import { propertiesRouter } from './routes-properties.js';
import { proxyFetch, type ProxyFetchInput, type ProxyFetchResult, type ProxyState } from './proxy.js';
import { contactPrivacyDeletionEvent, sendWebhook, signHeaders, type SignedHeaders } from './signing.js';
import { addOwner, newPortal, OBJECT_TYPE_IDS } from './store.js';
import type {
  Counters, CreatePortalInput, HubSpotSimulatorOptions, ObjectTypeName, Portal, ResolvedOptions, SimList, SimState,
} from './types.js';

export type {
  AccessTokenRecord, AssociationType, Counters, CreatePortalInput, CrmRecord, HubSpotSimulatorOptions, ObjectTypeName,
  Portal, PortalUser, PropertyDefinition, PropertyGroup, PublicOwner, RefreshTokenRecord, SimList,
} from './types.js';
export type { SignedHeaders } from './signing.js';
export type { ProxyFetchInput, ProxyFetchResult } from './proxy.js';
export { PROXY_ERRORS, PROXY_MAX_CONCURRENT, proxiedUrl } from './proxy.js';
export { signatureV3 } from './signing.js';
export { searchablePhone } from './phone.js';
export { MAX_BATCH_INPUTS } from './routes-objects.js';
export { SEARCH_LIMITS } from './search.js';
export { ASSOCIATION_TYPES } from './associations.js';
export { MAX_MEMBERSHIP_PAGE } from './routes-lists.js';

export interface HubSpotSimulator {
  app: express.Express;
  listen(port?: number, host?: string): Promise<{ url: string; close(): Promise<void> }>;
  createPortal(p?: CreatePortalInput): Portal;
  portals: Map<number, Portal>;
  counters: Counters;
  approveInstall(p: { portalId: number; userId: number }): void;
  revokeRefreshToken(portalId: number): void;
  signRequest(p: { method: string; url: string; body?: string; clientSecret?: string; timestamp?: number }): SignedHeaders;
  proxyFetch(p: ProxyFetchInput): Promise<ProxyFetchResult>;
  sendWebhook(p: { targetUrl: string; events: object[]; timestamp?: number }): Promise<number>;

  // ---- extras for tests and the demo ----
  /** Installs the app into a portal and returns a token response, skipping the browser flow. */
  issueTokens(p: { portalId: number; userId?: number; scopes?: string[] }): ReturnType<typeof issueTokens>;
  /** Customer-initiated uninstall: every token stops working and refresh answers invalid_grant. */
  uninstall(portalId: number): void;
  /** Adds a HubSpot user (and its owner) to a portal. */
  addUser(portalId: number, u: { userId: number; email: string; firstName: string; lastName: string }): void;
  /** A list in a portal (contacts unless `objectTypeId` says otherwise), with these records as members. */
  createList(portalId: number, l: { name: string; recordIds: string[]; objectTypeId?: string; processingType?: SimList['processingType'] }): SimList;
  /** Builds one `contact.privacyDeletion` event for sendWebhook. */
  privacyDeletionEvent(p: { portalId: number; objectId: number | string }): ReturnType<typeof contactPrivacyDeletionEvent>;
  /** Resets counters (e.g. between benchmark phases). */
  resetCounters(): void;
  readonly options: Readonly<ResolvedOptions>;
}

export const DEFAULT_SCOPES = [
  'oauth', 'crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.objects.owners.read',
  'crm.schemas.contacts.read', 'crm.schemas.contacts.write', 'crm.lists.read',
];

function resolve(o: HubSpotSimulatorOptions): ResolvedOptions {
  return {
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    redirectUris: o.redirectUris ?? [],
    rateLimit: o.rateLimit ?? { perTenSeconds: 110, searchPerSecond: 5 },
    accessTokenTtlSeconds: o.accessTokenTtlSeconds ?? 1800,
    searchIndexLagMs: o.searchIndexLagMs ?? 0,
    requiredScopes: o.requiredScopes ?? [],
    appId: o.appId ?? 3_100_001,
    appName: o.appName ?? 'WhatsApp for HubSpot',
    now: o.now ?? Date.now,
  };
}

export function createHubSpotSimulator(options: HubSpotSimulatorOptions): HubSpotSimulator {
  const opts = resolve(options);
  const portals = new Map<number, Portal>();
  const counters: Counters = { byKind: {}, total: 0, rateLimited: 0 };
  const state: SimState = {
    opts,
    portals,
    counters,
    codes: new Map(),
    tokenIndex: new Map(),
    createPortal(p?: CreatePortalInput): Portal {
      if (p?.portalId !== undefined && portals.has(p.portalId)) throw new Error(`portal ${p.portalId} already exists`);
      const portal = newPortal(p, opts.now());
      portals.set(portal.portalId, portal);
      return portal;
    },
  };
  const limiter = new RateLimiter(opts.rateLimit);
  const guard = makeGuard(state, limiter);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.json({ limit: '10mb' }));
  app.use(oauthRouter(state, guard));
  for (const type of Object.keys(OBJECT_CONFIGS) as ObjectTypeName[]) {
    app.use(
      [`/crm/objects/2026-03/${type}`, `/crm/objects/2026-03/${OBJECT_TYPE_IDS[type]}`],
      objectRouter(state, guard, OBJECT_CONFIGS[type]),
    );
  }
  app.use('/crm/owners/2026-03', ownersRouter(guard));
  app.use('/crm/properties/2026-03/:objectType', propertiesRouter(state, guard));
  app.use('/crm/associations/2026-03', associationsRouter(guard));
  app.use('/crm/lists/2026-03', listsRouter(guard));
  app.use((req, _res, next) => next(apiError(404, 'OBJECT_NOT_FOUND', `No route for ${req.method} ${req.path} in the HubSpot simulator`)));
  app.use(errorHandler);

  const inFlight: ProxyState = new Map();
  const portalOrThrow = (portalId: number): Portal => {
    const portal = portals.get(portalId);
    if (!portal) throw new Error(`unknown portal ${portalId}`);
    return portal;
  };

  return {
    app,
    portals,
    counters,
    options: opts,
    createPortal: (p) => state.createPortal(p),

    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolveListen, reject) => {
        const server: Server = app.listen(port, host, (err?: Error) => {
          if (err) return reject(err);
          const addr = server.address() as AddressInfo;
          const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
          resolveListen({
            url: `http://${h}:${addr.port}`,
            close: () =>
              new Promise<void>((done, fail) => {
                server.close((e) => (e ? fail(e) : done()));
                server.closeAllConnections();
              }),
          });
        });
        server.on('error', reject);
      });
    },

    approveInstall({ portalId, userId }) {
      const portal = portalOrThrow(portalId);
      if (!portal.users.some((u) => u.userId === userId)) throw new Error(`user ${userId} is not in portal ${portalId}`);
      state.pendingInstall = { portalId, userId };
    },

    revokeRefreshToken(portalId) {
      for (const t of portalOrThrow(portalId).tokens.refresh.values()) t.revoked = true;
    },

    signRequest({ method, url, body = '', clientSecret = opts.clientSecret, timestamp = opts.now() }) {
      return signHeaders(clientSecret, method, url, body, timestamp);
    },

    proxyFetch: (p) => proxyFetch(opts.clientSecret, opts.now, inFlight, opts.appId, p),
    sendWebhook: (p) => sendWebhook(opts.clientSecret, opts.now, p),

    issueTokens({ portalId, userId, scopes = DEFAULT_SCOPES }) {
      const portal = portalOrThrow(portalId);
      const uid = userId ?? portal.users[0].userId;
      if (!portal.installed) {
        portal.installed = true;
        portal.installedAt = opts.now();
        portal.installingUserId = uid;
        portal.uninstalledAt = undefined;
      }
      return issueTokens(state, portal, uid, scopes);
    },

    uninstall(portalId) {
      const portal = portalOrThrow(portalId);
      portal.installed = false;
      portal.uninstalledAt = opts.now();
      revokeAllTokens(portal);
    },

    addUser(portalId, u) {
      const portal = portalOrThrow(portalId);
      portal.users.push({ ...u });
      addOwner(portal, u, opts.now());
    },

    createList(portalId, l) {
      const portal = portalOrThrow(portalId);
      const at = opts.now();
      const list: SimList = {
        listId: String(100 + portal.lists.size * 7 + 1),
        name: l.name,
        objectTypeId: l.objectTypeId ?? '0-1',
        processingType: l.processingType ?? 'MANUAL',
        listVersion: 1,
        createdAt: at,
        updatedAt: at,
        createdById: String(portal.users[0]!.userId),
        members: new Map(l.recordIds.map((id) => [String(id), at])),
      };
      portal.lists.set(list.listId, list);
      return list;
    },

    privacyDeletionEvent: ({ portalId, objectId }) =>
      contactPrivacyDeletionEvent({ portalId, objectId, appId: opts.appId, occurredAt: opts.now() }),

    resetCounters() {
      counters.byKind = {};
      counters.total = 0;
      counters.rateLimited = 0;
    },
  };
}

import type { AppContext } from '../app-context.js';
import { HubSpotClient, type CallStats } from './client.js';
import { PortalNotConnectedError } from './errors.js';
import { OAuthApi } from './oauth-api.js';
import { ensureContactProperties } from './properties.js';
import { SharedRateLimiter } from '../limits/index.js';
import { DEFAULT_RATE_LIMITS, LimiterRegistry, type RateLimits } from './rate-limiter.js';
import { TokenManager, type TokenOptions } from './tokens.js';

export interface HubSpotOptions {
  /** Per-portal budgets, shared by every instance (default 100 per 10 s, 4 searches per second). */
  rateLimits?: RateLimits;
  tokens?: TokenOptions;
  /**
   * Batch window: a drain waits until this many ms after the oldest pending item (or until a full
   * batch of 100 is waiting) before calling HubSpot. Default 1000.
   */
  lingerMs?: number;
  /** How long a create whose answer was lost is left alone before it is reconciled (search index lag). Default 30 s. */
  inDoubtHoldMs?: number;
  /** Path of extensions/app/app-hsmeta.json (default: the repository's). */
  manifestPath?: string;
}

/** Shared per-process plumbing: tokens, the per-portal limiters and clients, call statistics. */
export class HubSpotCore {
  readonly oauth: OAuthApi;
  readonly tokens: TokenManager;
  readonly limiters: LimiterRegistry;
  readonly stats: CallStats = { byLabel: {}, total: 0, rateLimited: 0, retries: 0 };
  private readonly clients = new Map<number, HubSpotClient>();
  private readonly ready = new Set<number>();
  private readonly setups = new Map<number, Promise<void>>();

  constructor(
    readonly ctx: AppContext,
    readonly opts: HubSpotOptions = {},
  ) {
    this.oauth = new OAuthApi(ctx.config);
    this.tokens = new TokenManager(ctx, this.oauth, opts.tokens);
    this.limiters = new LimiterRegistry(opts.rateLimits ?? DEFAULT_RATE_LIMITS, new SharedRateLimiter(ctx.db.pool));
  }

  get instanceId(): string {
    return this.tokens.instanceId;
  }

  client(portalId: number): HubSpotClient {
    let c = this.clients.get(portalId);
    if (!c) {
      c = new HubSpotClient(portalId, {
        baseUrl: this.ctx.config.hubspot.apiBaseUrl,
        tokens: this.tokens,
        limiter: this.limiters.for(portalId),
        logger: this.ctx.logger,
        stats: this.stats,
      });
      this.clients.set(portalId, c);
    }
    return c;
  }

  /** Installed and holding tokens: HubSpot may be called for it. */
  async isConnected(portalId: number): Promise<boolean> {
    const r = await this.ctx.db.query(
      `SELECT 1 FROM portals WHERE id = $1 AND status = 'installed' AND refresh_token_enc IS NOT NULL`,
      [portalId],
    );
    return r.rowCount === 1;
  }

  async assertConnected(portalId: number): Promise<void> {
    if (!(await this.isConnected(portalId))) throw new PortalNotConnectedError(portalId, 'the app is not installed');
  }

  /** Whether the app's contact properties exist in the portal (created at install). */
  async propertiesReady(portalId: number): Promise<boolean> {
    if (this.ready.has(portalId)) return true;
    const r = await this.ctx.db.query('SELECT properties_ready FROM hubspot_portal_state WHERE portal_id = $1', [portalId]);
    if (r.rows[0]?.properties_ready) this.ready.add(portalId);
    return this.ready.has(portalId);
  }

  forgetReady(portalId: number): void {
    this.ready.delete(portalId);
  }

  /** Creates the property group and properties (idempotent); once per portal at a time in this process. */
  setupPortal(portalId: number): Promise<void> {
    let p = this.setups.get(portalId);
    if (!p) {
      p = (async () => {
        await ensureContactProperties(this.client(portalId));
        await this.ctx.db.query(
          `INSERT INTO hubspot_portal_state (portal_id, properties_ready, properties_at) VALUES ($1, true, now())
           ON CONFLICT (portal_id) DO UPDATE SET properties_ready = true, properties_at = now(), updated_at = now()`,
          [portalId],
        );
        this.ready.add(portalId);
      })().finally(() => this.setups.delete(portalId));
      this.setups.set(portalId, p);
    }
    return p;
  }
}

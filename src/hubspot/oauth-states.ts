// OAuth `state` values of /oauth/install (CSRF protection of the callback): only their sha256 is
// stored, each is good once for 10 minutes. The install page needs no account, so creating them
// is rate limited (per client address and in all, across instances) and expired rows are deleted
// on every install and by a periodic task: an anonymous caller cannot fill the table.
import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import { OAUTH_INSTALL_PER_ADDRESS, OAUTH_INSTALL_TOTAL, SharedRateLimiter, takeAll } from '../limits/index.js';

export const STATE_TTL_MS = 10 * 60_000;
/** The periodic clean-up (the scheduler runs it once per period across instances). */
export const STATE_EXPIRY_EVERY_MS = 10 * 60_000;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export class OAuthStates {
  private readonly limiter: SharedRateLimiter;

  constructor(private readonly ctx: AppContext) {
    this.limiter = new SharedRateLimiter(ctx.db.pool);
  }

  /** A new state for `clientAddress`, or how long to wait when it (or everyone) asked too often. */
  async create(clientAddress: string): Promise<{ state: string } | { retryAfterMs: number }> {
    const wait = await takeAll(this.limiter, [
      [`oauth-install:addr:${clientAddress}`, OAUTH_INSTALL_PER_ADDRESS],
      ['oauth-install:all', OAUTH_INSTALL_TOTAL],
    ]);
    if (wait !== null) return { retryAfterMs: wait };
    const now = this.ctx.clock.now().getTime();
    const state = randomBytes(32).toString('base64url');
    await this.expire();
    await this.ctx.db.query('INSERT INTO hubspot_oauth_states (state_hash, expires_at) VALUES ($1, $2)', [sha256(state), new Date(now + STATE_TTL_MS)]);
    return { state };
  }

  /** Uses the state up; true when it existed and had not expired. */
  async consume(state: string): Promise<boolean> {
    const used = await this.ctx.db.query<{ expires_at: Date }>('DELETE FROM hubspot_oauth_states WHERE state_hash = $1 RETURNING expires_at', [sha256(state)]);
    const row = used.rows[0];
    return Boolean(row && row.expires_at.getTime() >= this.ctx.clock.now().getTime());
  }

  /** Deletes expired states; returns how many. */
  async expire(): Promise<number> {
    const r = await this.ctx.db.query('DELETE FROM hubspot_oauth_states WHERE expires_at < $1', [this.ctx.clock.now()]);
    return r.rowCount ?? 0;
  }
}

// Limits on requests we receive (docs/limits.md, "Requests we receive"): the same shared GCRA rows
// as the limits on what we send (shared_limits), so they hold across every instance. A request
// over its budget is answered 429 RATE_LIMITED with Retry-After; nothing waits.
import { AppError } from '../errors.js';
import type { LimitSpec, SharedRateLimiter } from './shared-limiter.js';

/**
 * `/oauth/install` writes a state row per call and needs no account: 30 a minute per client
 * address (10 at once), 300 a minute in all. States live 10 minutes, so at most ~3,000 exist.
 */
export const OAUTH_INSTALL_PER_ADDRESS: LimitSpec = { ratePerSecond: 0.5, burst: 10 };
export const OAUTH_INSTALL_TOTAL: LimitSpec = { ratePerSecond: 5, burst: 50 };

/** 429 RATE_LIMITED; the error handler sends `details.retryAfterSeconds` as Retry-After. */
export function rateLimited(message: string, retryAfterMs: number): AppError {
  return new AppError(429, 'RATE_LIMITED', message, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) });
}

/** Takes a slot on every key (in order); the first refusal's wait, or null when all granted. */
export async function takeAll(limiter: SharedRateLimiter, checks: Array<[string, LimitSpec]>): Promise<number | null> {
  for (const [key, spec] of checks) {
    const r = await limiter.tryAcquire(key, spec);
    if (!r.ok) return r.retryAfterMs;
  }
  return null;
}

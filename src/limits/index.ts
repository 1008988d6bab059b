import type { LimitSpec } from './shared-limiter.js';

export { LATE_WAKE_MS, lateBy, SharedRateLimiter, type Booking, type Lane, type LimitSpec, type SharedLimiterOptions } from './shared-limiter.js';

/**
 * Meta counts a number's sends per second; we pace a little under the configured rate so network
 * jitter between two evenly spaced sends never puts one second over it (docs/limits.md).
 */
export const META_PACING_FACTOR = 0.9;

export const whatsappNumberKey = (phoneNumberId: string): string => `wa:${phoneNumberId}`;

export function whatsappNumberSpec(messagesPerSecond: number): LimitSpec {
  return { ratePerSecond: Math.max(0.1, messagesPerSecond * META_PACING_FACTOR), burst: 1 };
}

export const hubspotKey = (portalId: number, lane: 'general' | 'search'): string => `hs:${portalId}:${lane}`;

/**
 * A rolling budget of `max` per `windowMs` as GCRA: a burst of a tenth of it, the rest spread over the
 * window, so no rolling window ever holds more than `max` (+1 at its exact edge).
 */
export function rollingWindowSpec(max: number, windowMs: number): LimitSpec {
  const burst = Math.max(1, Math.floor(max / 10));
  const rest = Math.max(1, max - burst);
  return { ratePerSecond: rest / (windowMs / 1000), burst };
}

export { OAUTH_INSTALL_PER_ADDRESS, OAUTH_INSTALL_TOTAL, rateLimited, takeAll } from './request-limits.js';

/** The extension API of one portal (every rep's card, settings and pages together): API_RATE_LIMIT_PER_MINUTE. */
export const apiPortalKey = (portalId: number): string => `api:${portalId}`;
export const apiPortalSpec = (perMinute: number): LimitSpec => rollingWindowSpec(perMinute, 60_000);

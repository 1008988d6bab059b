// Per-portal rate limits: a rolling 10-second window for ordinary calls, and a separate secondly
// window for CRM search (which carries no rate-limit headers).
import { correlationId, HubSpotApiError } from './errors.js';

const TEN_SECONDS = 10_000;
const ONE_SECOND = 1_000;

class RollingWindow {
  private hits = new Map<number, number[]>();
  constructor(private readonly windowMs: number, private readonly max: number) {}

  /** Records a hit if allowed; returns the remaining budget, or -1 when the limit is reached. */
  take(portalId: number, now: number): number {
    let list = this.hits.get(portalId);
    if (!list) this.hits.set(portalId, (list = []));
    while (list.length && list[0] <= now - this.windowMs) list.shift();
    if (list.length >= this.max) return -1;
    list.push(now);
    return this.max - list.length;
  }
}

export class RateLimiter {
  private readonly tenSecondly: RollingWindow;
  private readonly secondly: RollingWindow;

  constructor(readonly limits: { perTenSeconds: number; searchPerSecond: number }) {
    this.tenSecondly = new RollingWindow(TEN_SECONDS, limits.perTenSeconds);
    this.secondly = new RollingWindow(ONE_SECOND, limits.searchPerSecond);
  }

  /**
   * Returns the headers to put on the response, or throws the 429 HubSpot answers with.
   * Search requests are limited separately and get no headers.
   */
  check(portalId: number, now: number, search: boolean): Record<string, string> {
    if (search) {
      if (this.secondly.take(portalId, now) < 0) throw rateLimitError('secondly', 'SECONDLY', {});
      return {};
    }
    const remaining = this.tenSecondly.take(portalId, now);
    const headers = {
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(TEN_SECONDS),
      'X-HubSpot-RateLimit-Max': String(this.limits.perTenSeconds),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(remaining, 0)),
    };
    if (remaining < 0) throw rateLimitError('ten_secondly_rolling', 'TEN_SECONDLY_ROLLING', headers);
    return headers;
  }
}

function rateLimitError(limitName: string, policyName: string, headers: Record<string, string>): HubSpotApiError {
  return new HubSpotApiError(
    429,
    {
      status: 'error',
      message: `You have reached your ${limitName} limit.`,
      errorType: 'RATE_LIMIT',
      correlationId: correlationId(),
      policyName,
      requestId: correlationId(),
    },
    headers,
  );
}

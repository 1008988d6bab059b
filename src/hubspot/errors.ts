/** HubSpot answered with an error (4xx, or 5xx after retries). `body` is HubSpot's error JSON. */
export class HubSpotApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly label: string,
  ) {
    super(`HubSpot ${label} failed with ${status}: ${typeof body.message === 'string' ? body.message.slice(0, 300) : 'no message'}`);
    this.name = 'HubSpotApiError';
  }
  get category(): string | undefined {
    return typeof this.body.category === 'string' ? this.body.category : undefined;
  }
}

/**
 * A non-idempotent call (a create) whose outcome is unknown: the connection failed, it timed out or
 * HubSpot answered 5xx. It may have been applied; callers reconcile before trying again.
 */
export class HubSpotInDoubtError extends Error {
  constructor(readonly label: string, cause: unknown) {
    super(`HubSpot ${label}: outcome unknown (${(cause as Error)?.message ?? String(cause)})`);
    this.name = 'HubSpotInDoubtError';
  }
}

/** The portal has not installed the app, uninstalled it, or its refresh token was revoked. */
export class PortalNotConnectedError extends Error {
  constructor(
    readonly portalId: number,
    reason: string,
  ) {
    super(`HubSpot portal ${portalId} is not connected: ${reason}`);
    this.name = 'PortalNotConnectedError';
  }
}

/** HubSpot kept answering 429 after we waited as its policy asks. */
export class HubSpotRateLimitedError extends Error {
  constructor(readonly label: string, readonly policyName: string | undefined) {
    super(`HubSpot ${label}: still rate limited (${policyName ?? 'unknown policy'})`);
    this.name = 'HubSpotRateLimitedError';
  }
}

/** An OAuth token endpoint error (RFC 6749 `error`, e.g. invalid_grant). */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`HubSpot OAuth ${error}: ${description}`);
    this.name = 'OAuthError';
  }
}

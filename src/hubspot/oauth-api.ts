import type { Config } from '../config.js';
import { OAuthError } from './errors.js';

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  hub_id?: number;
  user_id?: number;
  scopes?: string[];
}

export interface Introspection {
  active: boolean;
  hub_id?: number;
  hub_domain?: string;
  user_id?: number;
  user?: string;
  scopes?: string[];
  signed_access_token?: { installingUserId?: number; hubId?: number; userId?: number };
}

/** HubSpot's OAuth 2026-03 endpoints (form-encoded bodies, RFC 6749 errors). Never logs a token. */
export class OAuthApi {
  constructor(private readonly config: Config) {}

  get redirectUri(): string {
    return `${this.config.publicBaseUrl}/oauth/callback`;
  }

  private async post<T>(path: string, form: Record<string, string>): Promise<T> {
    const res = await fetch(`${this.config.hubspot.apiBaseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      /* not JSON */
    }
    if (!res.ok) {
      const error = typeof body.error === 'string' ? body.error : res.status >= 500 ? 'server_error' : 'invalid_request';
      const description =
        typeof body.error_description === 'string' ? body.error_description : typeof body.message === 'string' ? body.message : `HTTP ${res.status}`;
      throw new OAuthError(res.status, error, description);
    }
    return body as T;
  }

  exchangeCode(code: string): Promise<TokenResponse> {
    return this.post('/oauth/2026-03/token', {
      grant_type: 'authorization_code',
      client_id: this.config.hubspot.clientId,
      client_secret: this.config.hubspot.clientSecret,
      redirect_uri: this.redirectUri,
      code,
    });
  }

  refresh(refreshToken: string): Promise<TokenResponse> {
    return this.post('/oauth/2026-03/token', {
      grant_type: 'refresh_token',
      client_id: this.config.hubspot.clientId,
      client_secret: this.config.hubspot.clientSecret,
      refresh_token: refreshToken,
    });
  }

  introspect(accessToken: string): Promise<Introspection> {
    return this.post('/oauth/2026-03/token/introspect', {
      client_id: this.config.hubspot.clientId,
      client_secret: this.config.hubspot.clientSecret,
      token: accessToken,
      token_type_hint: 'access_token',
    });
  }
}

import axios, { AxiosError, type AxiosInstance } from 'axios';
import type { Config } from '../config.js';
import type { RemoteTemplate } from '../templates/index.js';

/** A failed Graph API call: Meta's error object, or a network failure / 5xx without one. */
export class MetaApiError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number | undefined,
    readonly code: number | undefined,
    readonly subcode: number | undefined,
    readonly details: string | undefined,
    readonly fbtraceId: string | undefined,
    /** No usable answer from Meta (timeout, connection reset, 5xx without an error body). */
    readonly network: boolean,
    /**
     * The request may have reached Meta but no answer came back (timeout, connection reset after
     * connecting): whether Meta acted on it is unknown. False when Meta answered, or when the
     * connection could not be opened at all (then Meta provably did not get it).
     */
    readonly unanswered = false,
  ) {
    super(message);
    this.name = 'MetaApiError';
  }

  /** For logs: never the token, always fbtrace_id. */
  toJSON(): Record<string, unknown> {
    return { message: this.message, httpStatus: this.httpStatus, code: this.code, subcode: this.subcode, details: this.details, fbtraceId: this.fbtraceId };
  }
}

/** Errors raised before a connection to Meta existed: the request provably never left. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_INVALID_URL']);

export function toMetaError(err: unknown): MetaApiError {
  if (err instanceof MetaApiError) return err;
  if (err instanceof AxiosError) {
    const status = err.response?.status;
    let body: unknown = err.response?.data;
    if (Buffer.isBuffer(body) || body instanceof ArrayBuffer) {
      try {
        body = JSON.parse(Buffer.from(body as ArrayBuffer).toString('utf8'));
      } catch {
        body = undefined;
      }
    }
    const e = (body as { error?: Record<string, unknown> } | undefined)?.error;
    if (e && typeof e === 'object') {
      const data = e.error_data as { details?: unknown } | undefined;
      return new MetaApiError(
        String(e.message ?? 'Graph API error'),
        status,
        typeof e.code === 'number' ? e.code : Number(e.code) || undefined,
        typeof e.error_subcode === 'number' ? e.error_subcode : undefined,
        typeof data?.details === 'string' ? data.details : undefined,
        typeof e.fbtrace_id === 'string' ? e.fbtrace_id : undefined,
        false,
      );
    }
    return new MetaApiError(
      status ? `Graph API answered HTTP ${status}` : `Graph API unreachable: ${err.code ?? err.message}`,
      status,
      undefined,
      undefined,
      undefined,
      undefined,
      !status || status >= 500,
      !status && !NOT_CONNECTED.has(err.code ?? ''),
    );
  }
  return new MetaApiError(`Graph API call failed: ${(err as Error)?.message ?? String(err)}`, undefined, undefined, undefined, undefined, undefined, true, true);
}

export interface PhoneNumberInfo {
  id: string;
  display_phone_number?: string;
  verified_name?: string;
  quality_rating?: string;
  throughput?: { level?: string };
}

export interface MediaInfo {
  url: string;
  mime_type: string;
  sha256?: string;
  file_size?: number;
  id: string;
}

export interface SendResult {
  wamid: string;
  waId?: string;
  messageStatus?: string;
}

/** The Graph API calls the app makes (axios; base URL and version from config). */
export class GraphClient {
  private readonly http: AxiosInstance;

  constructor(cfg: Config['whatsapp'], opts: { timeoutMs?: number } = {}) {
    this.http = axios.create({
      baseURL: `${cfg.apiBaseUrl}/${cfg.apiVersion}`,
      timeout: opts.timeoutMs ?? 15_000,
      maxContentLength: 110 * 1024 * 1024,
      maxBodyLength: 110 * 1024 * 1024,
    });
  }

  private async call<T>(token: string, fn: (headers: Record<string, string>) => Promise<{ data: T }>): Promise<T> {
    try {
      return (await fn({ Authorization: `Bearer ${token}` })).data;
    } catch (err) {
      throw toMetaError(err);
    }
  }

  sendMessage(phoneNumberId: string, token: string, body: Record<string, unknown>): Promise<SendResult> {
    return this.call<{ messages?: Array<{ id: string; message_status?: string }>; contacts?: Array<{ wa_id?: string }> }>(token, (headers) =>
      this.http.post(`/${encodeURIComponent(phoneNumberId)}/messages`, body, { headers }),
    ).then((d) => {
      const id = d.messages?.[0]?.id;
      if (!id) throw new MetaApiError('Graph API accepted the message without a message id', 200, undefined, undefined, undefined, undefined, true);
      return { wamid: id, waId: d.contacts?.[0]?.wa_id, messageStatus: d.messages?.[0]?.message_status };
    });
  }

  async markRead(phoneNumberId: string, token: string, wamid: string): Promise<void> {
    await this.call(token, (headers) =>
      this.http.post(`/${encodeURIComponent(phoneNumberId)}/messages`, { messaging_product: 'whatsapp', status: 'read', message_id: wamid }, { headers }),
    );
  }

  getPhoneNumber(phoneNumberId: string, token: string): Promise<PhoneNumberInfo> {
    return this.call(token, (headers) =>
      this.http.get(`/${encodeURIComponent(phoneNumberId)}`, {
        headers,
        params: { fields: 'verified_name,display_phone_number,quality_rating,throughput' },
      }),
    );
  }

  async listWabaPhoneNumberIds(wabaId: string, token: string): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 50; page++) {
      const d = await this.call<{ data?: Array<{ id: string }>; paging?: { next?: string; cursors?: { after?: string } } }>(token, (headers) =>
        this.http.get(`/${encodeURIComponent(wabaId)}/phone_numbers`, { headers, params: { fields: 'id', limit: 100, ...(after ? { after } : {}) } }),
      );
      ids.push(...(d.data ?? []).map((x) => String(x.id)));
      after = d.paging?.next ? d.paging.cursors?.after : undefined;
      if (!after) break;
    }
    return ids;
  }

  async subscribeApp(wabaId: string, token: string): Promise<void> {
    await this.call(token, (headers) => this.http.post(`/${encodeURIComponent(wabaId)}/subscribed_apps`, {}, { headers }));
  }

  /** Every template of a WABA, following cursor paging. */
  async listTemplates(wabaId: string, token: string, pageSize = 100): Promise<RemoteTemplate[]> {
    const out: RemoteTemplate[] = [];
    let after: string | undefined;
    for (let page = 0; page < 200; page++) {
      const d = await this.call<{ data?: RemoteTemplate[]; paging?: { next?: string; cursors?: { after?: string } } }>(token, (headers) =>
        this.http.get(`/${encodeURIComponent(wabaId)}/message_templates`, {
          headers,
          params: {
            fields: 'id,name,language,status,category,parameter_format,components,quality_score,rejected_reason',
            limit: pageSize,
            ...(after ? { after } : {}),
          },
        }),
      );
      out.push(...(d.data ?? []));
      after = d.paging?.next ? d.paging.cursors?.after : undefined;
      if (!after) break;
    }
    return out;
  }

  getMediaInfo(mediaId: string, token: string, phoneNumberId?: string): Promise<MediaInfo> {
    return this.call(token, (headers) =>
      this.http.get(`/${encodeURIComponent(mediaId)}`, { headers, params: phoneNumberId ? { phone_number_id: phoneNumberId } : {} }),
    );
  }

  /** The media URL needs the same bearer token and expires after 5 minutes. */
  async downloadMedia(url: string, token: string): Promise<{ bytes: Buffer; contentType?: string }> {
    try {
      const r = await this.http.get<ArrayBuffer>(url, { baseURL: undefined, headers: { Authorization: `Bearer ${token}` }, responseType: 'arraybuffer' });
      return { bytes: Buffer.from(r.data), contentType: typeof r.headers['content-type'] === 'string' ? r.headers['content-type'] : undefined };
    } catch (err) {
      throw toMetaError(err);
    }
  }

  async uploadMedia(phoneNumberId: string, token: string, p: { bytes: Buffer; mimeType: string; filename: string }): Promise<string> {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', p.mimeType);
    form.append('file', new Blob([new Uint8Array(p.bytes)], { type: p.mimeType }), p.filename);
    const d = await this.call<{ id: string }>(token, (headers) => this.http.post(`/${encodeURIComponent(phoneNumberId)}/media`, form, { headers }));
    return String(d.id);
  }
}

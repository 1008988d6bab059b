import axios, { type AxiosInstance } from 'axios';
import type { Config } from '../config.js';
import { MetaApiError, toMetaError } from '../whatsapp/graph.js';

/** What Meta answers to a template create (notes §11.1). */
export interface CreatedTemplate {
  id: string;
  status: string;
  category?: string;
}

/**
 * WhatsApp Business Management calls for authoring templates: create, delete, and the Resumable
 * Upload API that turns a sample file into the `header_handle` a media header needs.
 */
export class TemplateManagementApi {
  private readonly http: AxiosInstance;

  constructor(cfg: Config['whatsapp'], opts: { timeoutMs?: number } = {}) {
    this.http = axios.create({ baseURL: `${cfg.apiBaseUrl}/${cfg.apiVersion}`, timeout: opts.timeoutMs ?? 30_000, maxBodyLength: 110 * 1024 * 1024 });
  }

  private async call<T>(fn: () => Promise<{ data: T }>): Promise<T> {
    try {
      return (await fn()).data;
    } catch (err) {
      const e = toMetaError(err);
      // Template refusals explain themselves in error_user_msg (shown to the admin as the reason).
      const userMsg = (err as { response?: { data?: { error?: { error_user_msg?: unknown } } } }).response?.data?.error?.error_user_msg;
      throw typeof userMsg === 'string' && !e.details ? new MetaApiError(e.message, e.httpStatus, e.code, e.subcode, userMsg, e.fbtraceId, e.network) : e;
    }
  }

  async createTemplate(wabaId: string, token: string, body: Record<string, unknown>): Promise<CreatedTemplate> {
    const d = await this.call<{ id: string; status?: string; category?: string }>(() =>
      this.http.post(`/${encodeURIComponent(wabaId)}/message_templates`, body, { headers: { Authorization: `Bearer ${token}` } }),
    );
    return { id: String(d.id), status: String(d.status ?? 'PENDING').toUpperCase(), category: d.category };
  }

  /** Deletes every language of the name. */
  async deleteTemplate(wabaId: string, token: string, name: string): Promise<void> {
    await this.call(() => this.http.delete(`/${encodeURIComponent(wabaId)}/message_templates`, { headers: { Authorization: `Bearer ${token}` }, params: { name } }));
  }

  /** Resumable upload: the app of the token, an upload session, then the bytes in one chunk → `4::…` handle. */
  async uploadSample(token: string, file: { bytes: Buffer; mimeType: string; filename: string }): Promise<string> {
    const app = await this.call<{ id: string }>(() => this.http.get('/app', { headers: { Authorization: `Bearer ${token}` }, params: { fields: 'id' } }));
    const session = await this.call<{ id: string }>(() =>
      this.http.post(`/${encodeURIComponent(String(app.id))}/uploads`, null, {
        headers: { Authorization: `Bearer ${token}` },
        params: { file_name: file.filename, file_length: file.bytes.length, file_type: file.mimeType },
      }),
    );
    const done = await this.call<{ h: string }>(() =>
      this.http.post(`/${session.id}`, file.bytes, {
        headers: { Authorization: `OAuth ${token}`, file_offset: '0', 'Content-Type': 'application/octet-stream' },
      }),
    );
    if (!done.h) throw toMetaError(new Error('the upload finished without a handle'));
    return done.h;
  }
}

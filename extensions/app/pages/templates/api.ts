import { hubspot } from '@hubspot/ui-extensions';
import { newIdempotencyKey } from '../backend';
import { TemplatesApiError, type NumberView, type SampleView, type TemplatesApi, type TemplateView } from './types';

export interface TemplatesApiContext {
  baseUrl: string;
  portalId: number;
  userId: number;
}

/** The Templates page's calls, through HubSpot's signed fetch (portalId/userId in the signed URL). */
export function createTemplatesApi(ctx: TemplatesApiContext): TemplatesApi {
  const call = async <T,>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> => {
    let res: Response;
    const url = `${ctx.baseUrl.replace(/\/+$/, '')}${path}${path.includes('?') ? '&' : '?'}portalId=${ctx.portalId}&userId=${ctx.userId}`;
    try {
      res = await hubspot.fetch(url, {
        method,
        timeout: 15_000,
        // HubSpot's proxy allows no request header but Authorization: the idempotency key travels in the body.
        ...(method === 'GET' ? {} : { body: { ...((body ?? {}) as Record<string, unknown>), idempotencyKey: newIdempotencyKey() } }),
      } as Parameters<typeof hubspot.fetch>[1]);
    } catch {
      throw new TemplatesApiError('NETWORK', 'The app backend could not be reached. Try again.');
    }
    if (res.status === 204) return undefined as T;
    const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string; details?: Record<string, string> } } & T;
    if (!res.ok) throw new TemplatesApiError(json.error?.code ?? 'UNKNOWN', json.error?.message ?? `The backend answered ${res.status}`, json.error?.details ?? {});
    return json;
  };
  const q = encodeURIComponent;
  return {
    listNumbers: async () => (await call<{ numbers: NumberView[] }>('GET', '/api/v1/whatsapp-numbers')).numbers,
    listTemplates: async (pn) => (await call<{ templates: TemplateView[] }>('GET', `/api/v1/templates?phoneNumberId=${q(pn)}&status=all`)).templates,
    createTemplate: async (input) => (await call<{ template: TemplateView }>('POST', '/api/v1/templates', input)).template,
    deleteTemplate: async (pn, name) => void (await call('DELETE', `/api/v1/templates/${q(name)}?phoneNumberId=${q(pn)}`)),
    createSampleLink: (pn, format) => call('POST', '/api/v1/templates/sample-links', { phoneNumberId: pn, format }),
    getSample: async (id) => (await call<{ sample: SampleView }>('GET', `/api/v1/templates/samples/${q(id)}`)).sample,
  };
}

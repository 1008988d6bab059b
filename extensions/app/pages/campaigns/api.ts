import { hubspot } from '@hubspot/ui-extensions';
import { newIdempotencyKey } from '../backend';
import { CampaignApiError, type Audience, type Campaign, type CampaignsApi, type HubSpotListInfo, type NewCampaign } from './types';

/** The campaign endpoints through hubspot.fetch (signed by HubSpot's proxy; the key travels in the body). */
export function hubspotCampaignsApi(baseUrl: string): CampaignsApi {
  const call = async <T,>(path: string, init: { method: string; body?: object } = { method: 'GET' }): Promise<T> => {
    const body = init.body ? { ...init.body, idempotencyKey: newIdempotencyKey() } : undefined;
    const res = await hubspot.fetch(`${baseUrl}${path}`, { method: init.method as 'GET', ...(body ? { body } : {}) });
    const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; details?: Record<string, string> } } & T;
    if (!res.ok) throw new CampaignApiError(json.error?.code ?? 'HTTP_' + res.status, json.error?.message ?? `Request failed (${res.status})`, json.error?.details ?? {});
    return json;
  };
  return {
    list: async () => (await call<{ campaigns: Campaign[] }>('/api/v1/campaigns')).campaigns,
    create: (c: NewCampaign) => call('/api/v1/campaigns', { method: 'POST', body: c }),
    action: async (id, action) => (await call<{ campaign: Campaign }>(`/api/v1/campaigns/${id}/${action}`, { method: 'POST', body: {} })).campaign,
    prepareCsv: (t) => call('/api/v1/campaigns/audiences', { method: 'POST', body: { source: 'csv', ...t } }),
    prepareList: async (t) => (await call<{ audience: Audience }>('/api/v1/campaigns/audiences', { method: 'POST', body: { source: 'hubspot_list', ...t } })).audience,
    audience: async (id) => (await call<{ audience: Audience }>(`/api/v1/campaigns/audiences/${id}`)).audience,
    searchLists: async (q) => (await call<{ lists: HubSpotListInfo[] }>(`/api/v1/hubspot-lists?q=${encodeURIComponent(q)}`)).lists,
  };
}

// Shapes of the campaign endpoints (../shared/API_CONTRACT.md "Round 2 endpoints", docs/campaigns.md).
export type CampaignStatus = 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';

export interface Counts {
  total: number;
  pending: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  skipped: number;
}

export interface Campaign {
  id: number;
  name: string;
  status: CampaignStatus;
  templateName: string;
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  counts: Counts;
}

export interface NewCampaign {
  name: string;
  phoneNumberId: string;
  templateName: string;
  language: string;
  /** Rows pasted in the form, or an audience prepared before (an uploaded CSV, a HubSpot list). */
  csv?: string;
  audienceId?: number;
  optInAttested: boolean;
  scheduledAt?: string;
}

/** Which number and template an audience is checked against. */
export interface AudienceTarget {
  phoneNumberId: string;
  templateName: string;
  language: string;
}

/** An audience prepared before the campaign (POST /api/v1/campaigns/audiences). */
export interface Audience {
  id: number;
  source: 'csv' | 'hubspot_list';
  status: 'awaiting_upload' | 'loading' | 'ready' | 'failed' | 'used';
  total: number;
  /** Rows kept as skipped: NO_PHONE, INVALID_PHONE, INVALID_VALUES → count. */
  excluded: Record<string, number>;
  listName: string | null;
  filename: string | null;
  progress: { read: number; total: number | null } | null;
  error: { code: string; message: string } | null;
}

export interface HubSpotListInfo {
  listId: string;
  name: string;
  size: number | null;
  processingType: string;
}

/** HubSpot's iframe modal (actions.openIframeModal); the upload page closes it when done. */
export type OpenIframeModal = (p: { uri: string; height: number; width: number; title?: string; flush?: boolean }, onClose?: () => void) => void;

/** A refused request: `details` names the fields or rows (`recipients.3.phone`). */
export class CampaignApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** What the views need from the backend; `hubspotCampaignsApi` is the real one. */
export interface CampaignsApi {
  list(): Promise<Campaign[]>;
  create(c: NewCampaign): Promise<{ campaign: Campaign; warnings: { code: string; message: string }[] }>;
  action(id: number, action: 'pause' | 'resume' | 'cancel'): Promise<Campaign>;
  /** A CSV audience and the single-use link to its upload page. */
  prepareCsv(t: AudienceTarget): Promise<{ audience: Audience; upload: { url: string; expiresAt: string } }>;
  /** A HubSpot list audience (read by the backend; poll `audience`). */
  prepareList(t: AudienceTarget & { listId: string; parameters: string[] }): Promise<Audience>;
  audience(id: number): Promise<Audience>;
  searchLists(query: string): Promise<HubSpotListInfo[]>;
}

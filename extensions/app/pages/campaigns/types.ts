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
  csv: string;
  optInAttested: boolean;
  scheduledAt?: string;
}

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
}

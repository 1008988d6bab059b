// Shapes of the extension API used by the Templates page (docs/templates.md).

export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED' | string;

export interface TemplateButton {
  type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | string;
  text: string | null;
}

export interface TemplateView {
  name: string;
  language: string;
  category: string | null;
  status: TemplateStatus;
  /** Absent unless Meta rejected, paused or disabled it. */
  review?: { reason: string | null; recommendation: string | null } | null;
  header: { format: string; text: string | null } | null;
  body: string;
  footer: string | null;
  buttons: TemplateButton[];
}

export interface NumberView {
  phoneNumberId: string;
  label: string;
  displayPhoneNumber?: string | null;
}

/** POST /api/v1/templates body: Meta's component objects. */
export interface TemplateInput {
  phoneNumberId: string;
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  components: Record<string, unknown>[];
  /** The example file of an IMAGE/VIDEO/DOCUMENT header, uploaded through the upload page. */
  headerSampleId?: string;
}

export type MediaFormat = 'IMAGE' | 'VIDEO' | 'DOCUMENT';

/** An example file for a media header (GET /api/v1/templates/samples/:id). */
export interface SampleView {
  id: string;
  format: MediaFormat;
  state: 'waiting' | 'uploaded';
  filename: string | null;
  mimeType: string | null;
  sizeBytes: number | null;
}

/** The host's iframe modal (HubSpot's `actions.openIframeModal`): how a file gets to the backend. */
export type OpenIframeModal = (p: { uri: string; height: number; width: number; title?: string }, onClose?: () => void) => void;

export interface TemplatesApi {
  listNumbers(): Promise<NumberView[]>;
  listTemplates(phoneNumberId: string): Promise<TemplateView[]>;
  createTemplate(input: TemplateInput): Promise<TemplateView>;
  deleteTemplate(phoneNumberId: string, name: string): Promise<void>;
  /** A short-lived single-use link to the backend's upload page for a header's example file. */
  createSampleLink(phoneNumberId: string, format: MediaFormat): Promise<{ sample: SampleView; url: string; expiresAt: string }>;
  getSample(id: string): Promise<SampleView>;
}

/** A refused call: code, message and field-keyed details (TEMPLATE_LINT: `components.1.text`). */
export class TemplatesApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
  }
}

import type { PoolClient } from 'pg';
import type { ContactRow } from './contacts/contacts-repo.js';
import type { Queryable } from './db/database.js';
import type { MessageRow } from './messages/message-row.js';
import type { OutboundRequest } from './whatsapp/types.js';

/**
 * The cross-domain seams: the few narrow interfaces one domain calls on another. Each is
 * implemented directly by a domain service (WhatsAppService, HubSpotService, SettingsService) and
 * handed to its consumers in src/composition.ts; tests put fakes of the Meta/HubSpot side here.
 */

// ---------------------------------------------------------------- WhatsApp → others

export interface SendOptions {
  /**
   * Runs inside the transaction that stores the message row, before Meta is called: the caller's
   * state change (attach to a conversation, assign) commits with the message or not at all.
   */
  onStored?(c: PoolClient, row: MessageRow): Promise<void>;
}

/** Sends through WhatsApp (implemented by WhatsAppService, which enforces consent and opt-out). */
export interface MessageSender {
  /** Stores the message, sends it through Meta, returns the row (status `accepted`; `failed` → throws AppError). */
  send(req: OutboundRequest, opts?: SendOptions): Promise<MessageRow>;
  /** Short-lived signed URL to a message's stored attachment, when it has one. */
  mediaOf(q: Queryable, messageId: number): Promise<MediaRef | null>;
  /**
   * Passes the policy gate and stores the message inside `c`'s transaction (`contact` is the row the
   * transaction holds); `dispatch` hands it to Meta once that commits. Text and interactive content
   * only (they build without I/O); undefined when the key was sent already. Optional: without it,
   * callers send through a job.
   */
  stage?(c: PoolClient, req: OutboundRequest, contact: ContactRow): Promise<StagedSend | undefined>;
}

/** The content `MessageSender.stage` takes: it builds without I/O, so it may be stored inside a caller's transaction. */
export const STAGEABLE_KINDS: ReadonlySet<OutboundRequest['content']['kind']> = new Set(['text', 'interactive_buttons', 'interactive_list']);

/** A message stored in a caller's transaction, not yet handed to Meta. */
export interface StagedSend {
  row: MessageRow;
  /** Calls Meta (once, at the number's pace) and records the outcome; `failed` → throws AppError. */
  dispatch(): Promise<MessageRow>;
}

export interface MediaRef {
  url: string;
  mimeType: string;
  filename: string | null;
}

/** Links to attachments for the HubSpot timeline (implemented by WhatsAppService). */
export interface MediaLinks {
  /** A long-lived signed link per message that has an attachment (absent ids have none). */
  timelineLinks(messageIds: number[]): Promise<Map<number, string>>;
}

/** Attachment files of contacts, for privacy deletion (implemented by WhatsAppService). */
export interface MediaFiles {
  storedMediaKeys(q: Queryable, contactIds: number[]): Promise<string[]>;
  eraseFile(key: string): Promise<void>;
}

/** Who a privacy deletion erases, as the WhatsApp channel knows them (collected before their rows go). */
export interface ErasureSubject {
  /** wa_ids (digits), E.164 phones (+digits) and business-scoped user ids of the person's contacts. */
  waIds: string[];
  phones: string[];
  bsuids: string[];
  /** wamids of their messages, in and out. */
  wamids: string[];
}

/** What the channel keeps about a person outside their contact's rows (implemented by WhatsAppService). */
export interface ChannelErasure {
  /** Stored webhooks naming them that are not processed yet (processing one would store them again). */
  pendingWebhooks(q: Queryable, who: ErasureSubject): Promise<number>;
  /** Removes them from stored webhook bodies and deletes their status history, in the caller's transaction. */
  eraseTraces(q: Queryable, who: ErasureSubject): Promise<{ webhookEvents: number; statusEvents: number }>;
}

// ---------------------------------------------------------------- HubSpot → others

export interface OwnerInfo {
  ownerId: string;
  userId: number | null;
  email: string;
  name: string;
}

/** A HubSpot contact the backend has no row for yet (GET conversation of an unknown contact). */
export interface HubSpotContactInfo {
  phone: string | null;
  consentOptedIn: boolean;
}

/** Who is who in the CRM (implemented by HubSpotService). */
export interface ContactDirectory {
  /** The portal's active people among HubSpot owners (owner id ≠ user id). */
  owners(portalId: number): Promise<OwnerInfo[]>;
  /** The contact's HubSpot owner id (contact_owner routing); null when none. Called outside transactions. */
  contactOwnerId(portalId: number, contactId: number): Promise<string | null>;
  /** A HubSpot contact we may have no local row for; null: HubSpot has no such contact; undefined: unknown. */
  lookupHubSpotContact(portalId: number, hubspotContactId: string): Promise<HubSpotContactInfo | null | undefined>;
}

/** A HubSpot list of contacts (for a campaign audience). */
export interface ContactListInfo {
  listId: string;
  name: string;
  /** Members HubSpot counts (null when it did not say). */
  size: number | null;
  processingType: string;
}

export interface ContactListMember {
  hubspotContactId: string;
  /** Its phone numbers as HubSpot has them, best first: the WhatsApp number the app wrote, mobile, phone. */
  phones: string[];
  /** The properties asked for. */
  properties: Record<string, string | null>;
}

/** HubSpot contact lists (implemented by HubSpotService, scope crm.lists.read). */
/**
 * Links local contacts to their HubSpot contacts (found by phone, else created) ahead of their
 * messages, many per call (implemented by HubSpotService): a campaign's audience is linked 100 per
 * search and per create instead of a timeline batch at a time. Resolves when done; a contact that
 * could not be linked is linked later by the timeline, as any other.
 */
export interface ContactLinker {
  /** false when the portal is not connected to HubSpot (nothing to link ahead). */
  linkContacts(portalId: number, contactIds: number[]): Promise<boolean>;
}

export interface ContactLists {
  /** Contact lists whose name contains `query` (at most 50). */
  searchContactLists(portalId: number, query: string): Promise<ContactListInfo[]>;
  /**
   * The list and each member's `properties`, read in pages (memberships 250, contacts 100 a call).
   * Throws AppError LIST_NOT_FOUND (404), LIST_NOT_CONTACTS (422), HUBSPOT_SCOPE_MISSING (409).
   */
  readContactList(
    portalId: number,
    listId: string,
    properties: string[],
    onProgress?: (read: number, total: number | null) => Promise<void> | void,
  ): Promise<{ list: ContactListInfo; members: ContactListMember[] }>;
}

export interface TaskRequest {
  portalId: number;
  conversationId: number;
  contactId: number;
  /** HubSpot owner id (hubspot_owner_id), not a user id. */
  ownerId: string | null;
  subject: string;
  body: string;
  kind: 'assigned' | 'customer_reply' | 'urgent_window' | 'transferred';
  priority?: 'LOW' | 'MEDIUM' | 'HIGH';
  dueAt?: Date | null;
}

/** Agent notifications as HubSpot tasks (implemented by HubSpotService); durable, in the caller's transaction. */
export interface TaskNotifier {
  /** One open task per conversation, updated not duplicated; after completion a new one. */
  enqueueTask(q: Queryable, t: TaskRequest): Promise<void>;
  /** The conversation's task is done (it was resolved). */
  completeTask(q: Queryable, p: { portalId: number; conversationId: number }): Promise<void>;
}

/** Writes HubSpot contact properties (implemented by HubSpotService); durable, in the caller's transaction. */
export interface ContactPropertyWriter {
  /**
   * `define`: custom text properties among `properties` (not the app's own nor standard ones); each
   * is created in the app's property group when missing, and left unwritten if HubSpot has it as
   * something that cannot take text.
   */
  enqueueContactProperties(
    q: Queryable,
    p: { portalId: number; contactId: number; properties: Record<string, string | number | boolean | Date | null>; define?: Array<{ name: string; label: string }> },
  ): Promise<void>;
}

/** The consent state mirrored to the HubSpot contact (F8). */
export interface ConsentState {
  consent: 'granted' | 'declined' | 'unknown';
  consentAt: Date | null;
  textVersion: number | null;
  optedOut: boolean;
}

/** Mirrors consent to HubSpot contact properties (implemented by HubSpotService); durable, in the caller's transaction. */
export interface ConsentMirror {
  mirrorConsent(q: Queryable, p: { portalId: number; contactId: number } & ConsentState): Promise<void>;
}

// ---------------------------------------------------------------- settings → others

/** Who may administer the app in a portal (implemented by SettingsService). */
export interface AdminCheck {
  isAdmin(portalId: number, userId: number): Promise<boolean>;
}

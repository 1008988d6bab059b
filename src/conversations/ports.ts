import type { AppContext } from '../app-context.js';
import type { Queryable } from '../db/database.js';
import { CONTACT_PROPERTIES, hubspotApp } from '../hubspot/index.js';
import { whatsappSender, type OutboundRequest } from '../whatsapp/index.js';
import type { MessageRow } from './types.js';

/** What this domain needs from the WhatsApp and HubSpot domains (docs/seams.md §3). */

export type { OutboundContent, OutboundRequest } from '../whatsapp/index.js';

export interface OwnerInfo {
  ownerId: string;
  userId: number | null;
  email: string;
  name: string;
}

export interface TaskRequest {
  portalId: number;
  conversationId: number;
  contactId: number;
  ownerId: string;
  subject: string;
  body: string;
  kind: 'assigned' | 'customer_reply' | 'urgent_window' | 'transferred';
  priority?: 'LOW' | 'MEDIUM' | 'HIGH';
  dueAt?: Date | null;
}

/** The consent state mirrored to the HubSpot contact (F8). */
export interface ConsentMirror {
  consent: 'granted' | 'declined' | 'unknown';
  consentAt: Date | null;
  textVersion: number | null;
  optedOut: boolean;
}

/** A HubSpot contact the backend has no row for yet (GET conversation of an unknown contact). */
export interface HubSpotContactInfo {
  phone: string | null;
  consentOptedIn: boolean;
}

export interface Ports {
  send(req: OutboundRequest): Promise<MessageRow>;
  /** Short-lived signed URL to a message's stored media, when it has any. */
  mediaOf(q: Queryable, messageId: number): Promise<{ url: string; mimeType: string; filename: string | null } | null>;
  listOwners(portalId: number): Promise<OwnerInfo[]>;
  /** Durable, in the caller's transaction. */
  mirrorConsent(q: Queryable, p: { portalId: number; contactId: number } & ConsentMirror): Promise<void>;
  /** Durable, in the caller's transaction; one open task per conversation, updated not duplicated. */
  enqueueTask(q: Queryable, t: TaskRequest): Promise<void>;
  /** Durable, in the caller's transaction: the conversation's task is done (it was resolved). */
  completeTask(q: Queryable, p: { portalId: number; conversationId: number }): Promise<void>;
  /** The contact's HubSpot owner id (contact_owner routing); null when unknown. Called outside transactions. */
  contactOwnerId(portalId: number, contactId: number): Promise<string | null>;
  /** A HubSpot contact we have no local row for: its phone and consent; null when HubSpot has no such contact. */
  lookupHubSpotContact(portalId: number, hubspotContactId: string): Promise<HubSpotContactInfo | null | undefined>;
}

/** HubSpot contact properties for a consent state (names owned by the HubSpot domain). */
export function consentPropertyValues(m: ConsentMirror): Record<string, string | boolean | Date | null> {
  const p: Record<string, string | boolean | Date | null> = {
    [CONTACT_PROPERTIES.consent]: m.consent,
    [CONTACT_PROPERTIES.optedOut]: m.optedOut,
  };
  if (m.consentAt) p[CONTACT_PROPERTIES.consentAt] = m.consentAt;
  if (m.textVersion !== null) p[CONTACT_PROPERTIES.consentTextVersion] = String(m.textVersion);
  return p;
}

/**
 * Optional HubSpot lookups this domain can use when the HubSpot domain offers them (not in
 * docs/seams.md yet): the contact's owner for contact_owner routing, and an unknown contact's phone
 * and consent for the card. Without them: no owner (the fallback method routes) and phone null.
 */
interface OptionalHubSpotLookups {
  contactOwnerId?(portalId: number, contactId: number): Promise<string | null>;
  lookupContact?(portalId: number, hubspotContactId: string): Promise<HubSpotContactInfo | null>;
}

/** The ports wired to the WhatsApp and HubSpot domains' services. */
export function defaultPorts(ctx: AppContext): Ports {
  const hs = () => hubspotApp(ctx);
  const lookups = () => hs() as unknown as OptionalHubSpotLookups;
  return {
    send: (req) => whatsappSender(ctx).send(req),
    mediaOf: (q, messageId) => whatsappSender(ctx).mediaOf(q, messageId),
    async listOwners(portalId) {
      const owners = await hs().listOwners(portalId);
      return owners
        .filter((o) => (o.type ?? 'PERSON') === 'PERSON' && !o.archived)
        .map((o) => ({
          ownerId: String(o.id),
          userId: o.userId ?? null,
          email: o.email ?? '',
          name: [o.firstName, o.lastName].filter(Boolean).join(' ').trim() || o.email || `Owner ${o.id}`,
        }));
    },
    mirrorConsent: (q, p) =>
      hs().enqueueContactProperties(q, {
        portalId: p.portalId,
        contactId: p.contactId,
        properties: consentPropertyValues(p),
      }),
    enqueueTask: (q, t) => hs().enqueueTask(q, t),
    completeTask: (q, p) => hs().completeTask(q, p),
    contactOwnerId: async (portalId, contactId) => (await lookups().contactOwnerId?.(portalId, contactId)) ?? null,
    lookupHubSpotContact: async (portalId, id) => lookups().lookupContact?.(portalId, id),
  };
}

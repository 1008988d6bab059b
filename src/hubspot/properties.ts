import { HubSpotApiError } from './errors.js';
import type { HubSpotClient } from './client.js';

/** The contact properties the app writes (group `whatsapp`). Names are stable: other domains use them. */
export const CONTACT_PROPERTIES = {
  consent: 'wa_consent_status',
  consentAt: 'wa_consent_at',
  consentTextVersion: 'wa_consent_text_version',
  optedOut: 'wa_marketing_opt_out',
  lastMessageAt: 'wa_last_message_at',
  waId: 'wa_id',
  phoneE164: 'wa_phone_e164',
  bsuid: 'wa_bsuid',
} as const;

export const PROPERTY_GROUP = { name: 'whatsapp', label: 'WhatsApp', displayOrder: 1 };

const common = { groupName: PROPERTY_GROUP.name, formField: false, dataSensitivity: 'non_sensitive' as const };

export const PROPERTY_DEFINITIONS = [
  {
    ...common,
    name: CONTACT_PROPERTIES.consent,
    label: 'WhatsApp consent',
    description: 'Whether the contact accepted the data-processing consent on WhatsApp.',
    type: 'enumeration',
    fieldType: 'select',
    options: [
      { label: 'Granted', value: 'granted', displayOrder: 0 },
      { label: 'Declined', value: 'declined', displayOrder: 1 },
      { label: 'Unknown', value: 'unknown', displayOrder: 2 },
    ],
  },
  { ...common, name: CONTACT_PROPERTIES.consentAt, label: 'WhatsApp consent date', description: 'When the consent answer was given.', type: 'datetime', fieldType: 'date' },
  {
    ...common,
    name: CONTACT_PROPERTIES.consentTextVersion,
    label: 'WhatsApp consent text version',
    description: 'The version of the consent text the contact answered.',
    type: 'string',
    fieldType: 'text',
  },
  {
    ...common,
    name: CONTACT_PROPERTIES.optedOut,
    label: 'WhatsApp opted out',
    description: 'The contact asked not to receive business-initiated WhatsApp messages.',
    type: 'bool',
    fieldType: 'booleancheckbox',
    options: [
      { label: 'Yes', value: 'true', displayOrder: 0 },
      { label: 'No', value: 'false', displayOrder: 1 },
    ],
  },
  {
    ...common,
    name: CONTACT_PROPERTIES.lastMessageAt,
    label: 'Last WhatsApp message',
    description: 'When the last WhatsApp message with this contact was sent or received.',
    type: 'datetime',
    fieldType: 'date',
  },
  { ...common, name: CONTACT_PROPERTIES.waId, label: 'WhatsApp ID', description: "The contact's WhatsApp id (wa_id).", type: 'string', fieldType: 'text' },
  {
    ...common,
    name: CONTACT_PROPERTIES.phoneE164,
    label: 'WhatsApp number',
    description: 'The WhatsApp number in E.164 (+573001234567); used to match the contact.',
    type: 'string',
    fieldType: 'text',
  },
  {
    ...common,
    name: CONTACT_PROPERTIES.bsuid,
    label: 'WhatsApp business-scoped user ID',
    description: 'Set when WhatsApp hides the phone number.',
    type: 'string',
    fieldType: 'text',
  },
];

/** Creates the property group and properties; existing ones are fine (idempotent). One or two calls. */
export async function ensureContactProperties(client: HubSpotClient): Promise<void> {
  try {
    await client.createPropertyGroup(PROPERTY_GROUP);
  } catch (err) {
    if (!(err instanceof HubSpotApiError && err.status === 409)) throw err;
  }
  let r;
  try {
    r = await client.batchCreateProperties(PROPERTY_DEFINITIONS);
  } catch (err) {
    // Some HubSpot versions answer a batch where every property exists with a plain 409.
    if (err instanceof HubSpotApiError && err.status === 409) return;
    throw err;
  }
  const bad = (r.errors ?? []).filter((e) => e.category !== 'OBJECT_ALREADY_EXISTS' && !/already exists/i.test(e.message ?? ''));
  if (bad.length) {
    throw new Error(`HubSpot refused some contact properties: ${bad.map((e) => e.message ?? e.category).join('; ').slice(0, 500)}`);
  }
}

/** Standard HubSpot contact properties other domains may write through the outbox. */
export const STANDARD_WRITABLE = [
  'firstname', 'lastname', 'email', 'phone', 'mobilephone', 'hubspot_owner_id', 'lifecyclestage', 'hs_lead_status',
  // what a bot flow's collect step may fill (issue 15)
  'company', 'jobtitle', 'website', 'city', 'country',
];

const OWN = new Set<string>(Object.values(CONTACT_PROPERTIES));
const WRITABLE = new Set<string>([...OWN, ...STANDARD_WRITABLE]);

/** The app's own properties and the standard ones: these always exist, nothing to make sure of. */
export function isBuiltInProperty(name: string): boolean {
  return WRITABLE.has(name);
}

/** The app's own properties (`wa_consent_status`, …): never a bot flow's to fill. */
export function isOwnProperty(name: string): boolean {
  return OWN.has(name);
}

/**
 * Keeps the properties HubSpot will accept: ours, a few standard ones and the `custom` ones the app
 * makes sure of before writing (custom-properties.ts); an unknown name would make HubSpot refuse
 * the whole batch. Consent values are written as granted / declined / unknown; the
 * older spellings opted_in / opted_out are translated.
 */
export function sanitizeProperties(props: Record<string, string>, custom: ReadonlySet<string> = new Set()): { ok: Record<string, string>; dropped: string[] } {
  const ok: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [k, v] of Object.entries(props)) {
    if (!WRITABLE.has(k) && !custom.has(k)) {
      dropped.push(k);
      continue;
    }
    if (k === CONTACT_PROPERTIES.consent) {
      const c = v.toLowerCase();
      ok[k] = c === 'opted_in' ? 'granted' : c === 'opted_out' ? 'declined' : ['granted', 'declined', 'unknown'].includes(c) ? c : 'unknown';
    } else ok[k] = v;
  }
  return { ok, dropped };
}

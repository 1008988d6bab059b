// Shapes of the Extension API used by the settings page (docs/extension-api.md).

export type RoutingMethod = 'round_robin' | 'contact_owner' | 'least_open' | 'last_agent' | 'number_pool';
export type FallbackMethod = 'round_robin' | 'least_open' | 'number_pool';
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface TimeRange {
  from: string;
  to: string;
}

export interface QuickReply {
  id: string;
  phoneNumberId: string | null;
  title: string;
  text: string;
}

export interface Settings {
  consent: {
    text: { es: string; en: string };
    policyUrl: string;
    version: number;
    language: 'es' | 'en';
  };
  routing: {
    method: RoutingMethod;
    perNumber: Record<string, RoutingMethod>;
    /** last_agent looks back this many days (backend addition; absent = kept). */
    lastAgentDays?: number;
    /** used by contact_owner / last_agent when their agent is unavailable (backend addition). */
    fallback?: FallbackMethod;
  };
  businessHours: {
    timeZone: string;
    weekly: Record<Weekday, TimeRange[]>;
    holidays: string[];
  };
  resolutionLabels: string[];
  autoClose: { enabled: boolean; at?: string };
  quickReplies: QuickReply[];
  optOutKeywords: string[];
  optInKeywords: string[];
  windowAlertMinutes: number;
  /** Issue 15 additions (absent = kept by the backend). */
  reminder?: { enabled: boolean; afterMinutes: number; templateName: string | null; language: string | null };
  outOfHoursNotice?: { enabled: boolean; templateName: string | null; language: string | null };
  botFlow?: BotFlow;
}

export interface Localized { es: string; en: string }
export type BotRoute = { to: 'pool' } | { to: 'agents'; agentIds: string[] } | { to: 'number'; phoneNumberId: string };
export type BotStep =
  | { id: string; type: 'greeting'; text: Localized }
  | { id: string; type: 'menu'; text: Localized; options: { id: string; title: Localized; route: BotRoute }[] }
  /** `property`: a standard contact property or a custom one, which the backend creates (labelled `propertyLabel`) when missing. */
  | { id: string; type: 'collect'; text: Localized; field: 'email' | 'company' | 'order_number' | 'phone' | 'text'; property: string; propertyLabel?: string };
export interface BotFlow {
  enabled: boolean;
  template: string | null;
  maxRetries: number;
  steps: BotStep[];
}

export interface WhatsAppNumber {
  phoneNumberId: string;
  wabaId: string;
  label: string;
  displayPhoneNumber?: string | null;
  verifiedName?: string | null;
  qualityRating?: string | null;
}

export interface ConnectNumberInput {
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  label: string;
}

export interface Agent {
  agentId?: string;
  ownerId: string;
  userId: number | null;
  email: string;
  name: string;
  active: boolean;
  available: boolean;
  outOfOffice: { from: string; to: string }[];
  /** Numbers whose conversations this agent takes under per-number routing ([] = every number). */
  numberIds?: string[];
}

export interface Owner {
  ownerId: string;
  userId: number | null;
  email: string;
  name: string;
}

export interface Me {
  userId: number;
  ownerId: string | null;
  agent: Agent | null;
  isAdmin?: boolean;
}

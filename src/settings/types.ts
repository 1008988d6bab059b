/** The portal settings document (docs/extension-api.md, GET/PUT /api/v1/settings). */
import type { AutomationSettings } from './automation.js';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export type RoutingMethod = 'round_robin' | 'contact_owner' | 'least_open' | 'last_agent' | 'number_pool';
export const ROUTING_METHODS: RoutingMethod[] = ['round_robin', 'contact_owner', 'least_open', 'last_agent', 'number_pool'];
/** Methods that never need another one (the fallback of contact_owner / last_agent). */
export type FallbackMethod = 'round_robin' | 'least_open' | 'number_pool';
export const FALLBACK_METHODS: FallbackMethod[] = ['round_robin', 'least_open', 'number_pool'];

export type Language = 'es' | 'en';

export interface TimeRange {
  from: string; // HH:MM
  to: string; // HH:MM
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
    language: Language;
  };
  routing: {
    method: RoutingMethod;
    perNumber: Record<string, RoutingMethod>;
    /** [addition] last_agent looks back this many days. */
    lastAgentDays: number;
    /** [addition] used by contact_owner / last_agent when their agent is not available. */
    fallback: FallbackMethod;
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
  /** [addition, issue 15] reminder, out-of-hours notice and bot flow (automation.ts). */
  reminder: AutomationSettings['reminder'];
  outOfHoursNotice: AutomationSettings['outOfHoursNotice'];
  botFlow: AutomationSettings['botFlow'];
}

/** Labels the system puts on conversations it resolves itself (never in resolutionLabels). */
export const SYSTEM_LABELS = {
  consentDeclined: 'System: consent declined',
  consentNoAnswer: 'System: consent not given',
  endOfDay: 'System: closed at end of day',
  optedOut: 'System: contact opted out',
} as const;

import { automationWithDefaults, defaultAutomation } from './automation.js';
import type { Language, Settings } from './types.js';

/**
 * Built-in consent notice (Ley 1581 de 2012, art. 12: purpose, rights, controller, how to revoke).
 * `{company}` is replaced by the WhatsApp number's verified business name (or its label).
 */
export const DEFAULT_CONSENT_TEXT: Record<Language, string> = {
  es:
    'Hola 👋 Antes de continuar necesitamos tu autorización. {company} tratará tus datos personales ' +
    '(nombre, número de WhatsApp y los mensajes de esta conversación) para atender tu solicitud y darte ' +
    'seguimiento. Puedes conocer, actualizar, rectificar y suprimir tus datos, y revocar esta autorización ' +
    'cuando quieras escribiendo BAJA. Responder sobre datos sensibles o de menores es opcional. ' +
    '¿Autorizas el tratamiento de tus datos?',
  en:
    'Hi 👋 Before we continue we need your permission. {company} will process your personal data ' +
    '(name, WhatsApp number and the messages in this conversation) to handle your request and follow up ' +
    'with you. You can access, update, correct or delete your data, and withdraw this permission at any ' +
    'time by writing STOP. Answering questions about sensitive data or minors is optional. ' +
    'Do you allow us to process your data?',
};

export function defaultSettings(language: Language = 'es'): Settings {
  const weekday = [{ from: '08:00', to: '18:00' }];
  return {
    consent: {
      text: { ...DEFAULT_CONSENT_TEXT },
      policyUrl: '',
      version: 1,
      language,
    },
    routing: { method: 'round_robin', perNumber: {}, lastAgentDays: 30, fallback: 'round_robin' },
    businessHours: {
      timeZone: 'America/Bogota',
      weekly: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday, sat: [], sun: [] },
      holidays: [],
    },
    resolutionLabels: ['Resolved', 'No reply from customer', 'Not interested'],
    autoClose: { enabled: true },
    quickReplies: [],
    optOutKeywords: ['STOP', 'BAJA', 'UNSUBSCRIBE', 'DARME DE BAJA'],
    optInKeywords: ['START', 'ALTA', 'SUBSCRIBE'],
    windowAlertMinutes: 120,
    ...defaultAutomation(),
  };
}

/** Fills what a stored document lacks from the defaults (documents written by older versions). */
export function withDefaults(stored: Partial<Settings> | null | undefined, language: Language = 'es'): Settings {
  const d = defaultSettings(language);
  if (!stored || typeof stored !== 'object') return d;
  const s = stored as any;
  return {
    consent: {
      text: { ...d.consent.text, ...(s.consent?.text ?? {}) },
      policyUrl: s.consent?.policyUrl ?? d.consent.policyUrl,
      version: s.consent?.version ?? d.consent.version,
      language: s.consent?.language ?? d.consent.language,
    },
    routing: { ...d.routing, ...(s.routing ?? {}), perNumber: { ...(s.routing?.perNumber ?? {}) } },
    businessHours: {
      timeZone: s.businessHours?.timeZone ?? d.businessHours.timeZone,
      weekly: { ...d.businessHours.weekly, ...(s.businessHours?.weekly ?? {}) },
      holidays: s.businessHours?.holidays ?? d.businessHours.holidays,
    },
    resolutionLabels: s.resolutionLabels ?? d.resolutionLabels,
    autoClose: s.autoClose ?? d.autoClose,
    quickReplies: s.quickReplies ?? d.quickReplies,
    optOutKeywords: s.optOutKeywords ?? d.optOutKeywords,
    optInKeywords: s.optInKeywords ?? d.optInKeywords,
    windowAlertMinutes: s.windowAlertMinutes ?? d.windowAlertMinutes,
    ...automationWithDefaults(s),
  };
}

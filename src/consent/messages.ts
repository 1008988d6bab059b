import { policyLine } from '../settings/schema.js';
import type { Language, Settings } from '../settings/types.js';
import { CONSENT_BUTTON } from './answers.js';

/** How many times the bot shows the consent prompt (first one included) before it gives up. */
export const MAX_CONSENT_PROMPTS = 3;

export interface InteractiveButtons {
  kind: 'interactive_buttons';
  body: string;
  buttons: { id: string; title: string }[];
  footer?: string;
}

const BUTTON_TITLES: Record<Language, { accept: string; decline: string }> = {
  es: { accept: 'Acepto', decline: 'No acepto' },
  en: { accept: 'I accept', decline: 'I decline' },
};

/** The consent notice as shown: the portal's text for the language, the company, the policy link. */
export function consentNotice(settings: Settings, lang: Language, company: string): string {
  const text = settings.consent.text[lang].replaceAll('{company}', company);
  const policy = policyLine(lang, settings.consent.policyUrl);
  return (policy ? `${text}\n\n${policy}` : text).slice(0, 1024);
}

/** The first prompt: the full notice with accept / decline reply buttons (§8.7). */
export function consentPrompt(settings: Settings, lang: Language, company: string): InteractiveButtons {
  const t = BUTTON_TITLES[lang];
  return {
    kind: 'interactive_buttons',
    body: consentNotice(settings, lang, company),
    buttons: [
      { id: CONSENT_BUTTON.accept, title: t.accept },
      { id: CONSENT_BUTTON.decline, title: t.decline },
    ],
  };
}

/** A repeated prompt after free text: short, the same buttons; the notice stays above in the chat. */
export function consentReminder(settings: Settings, lang: Language, company: string): InteractiveButtons {
  const t = BUTTON_TITLES[lang];
  const lead =
    lang === 'es'
      ? `Para poder atenderte necesitamos primero tu respuesta. Toca «${t.accept}» o «${t.decline}» (también puedes escribir «sí» o «no»).`
      : `Before we can help you we need your answer. Tap "${t.accept}" or "${t.decline}" (you can also type "yes" or "no").`;
  const policy = policyLine(lang, settings.consent.policyUrl);
  const body = [lead, settings.consent.text[lang].replaceAll('{company}', company), policy].filter(Boolean).join('\n\n');
  return {
    kind: 'interactive_buttons',
    body: body.length <= 1024 ? body : [lead, policy].filter(Boolean).join('\n\n'),
    buttons: [
      { id: CONSENT_BUTTON.accept, title: t.accept },
      { id: CONSENT_BUTTON.decline, title: t.decline },
    ],
  };
}

export const botText = {
  accepted: (lang: Language) =>
    lang === 'es'
      ? '¡Gracias! Registramos tu autorización. En un momento te atiende una persona de nuestro equipo.'
      : 'Thank you! We have recorded your permission. Someone from our team will be with you shortly.',
  declined: (lang: Language) =>
    lang === 'es'
      ? 'Entendido. Registramos que no autorizas el tratamiento de tus datos y no los usaremos. Si cambias de opinión, escríbenos de nuevo cuando quieras.'
      : 'Understood. We have recorded that you do not allow us to process your data, and we will not use it. If you change your mind, write to us again at any time.',
  gaveUp: (lang: Language) =>
    lang === 'es'
      ? 'Como no recibimos tu autorización, por ahora no podemos continuar. Cuando quieras, escríbenos de nuevo.'
      : 'As we did not receive your permission, we cannot continue for now. Write to us again whenever you like.',
  optedOut: (lang: Language, optIn: string[]) => {
    const k = optIn.slice(0, 2).join(lang === 'es' ? ' o ' : ' or ');
    return lang === 'es'
      ? `Listo, no te enviaremos más mensajes.${k ? ` Si quieres volver a recibirlos, escribe ${k}.` : ''}`
      : `Done, we will not send you any more messages.${k ? ` To receive them again, write ${k}.` : ''}`;
  },
  optedIn: (lang: Language) =>
    lang === 'es' ? 'Listo, volverás a recibir nuestros mensajes.' : 'Done, you will receive our messages again.',
  outOfHours: (lang: Language, when: string | null) =>
    lang === 'es'
      ? `Gracias por escribirnos. En este momento estamos fuera de nuestro horario de atención${when ? `; volvemos ${when}` : ''}. Te responderemos tan pronto estemos de vuelta.`
      : `Thanks for writing to us. We are outside our business hours right now${when ? `; we are back ${when}` : ''}. We will answer as soon as we are back.`,
  transfer: (lang: Language, agentName: string, wait: string) =>
    lang === 'es'
      ? `Te estamos comunicando con ${agentName}, quien continuará atendiéndote. Tiempo de espera estimado: ${wait}.`
      : `We are handing you over to ${agentName}, who will continue helping you. Expected wait: ${wait}.`,
};

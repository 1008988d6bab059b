import type { BotRoute, BotStep, CollectField, Localized } from '../settings/automation.js';
import type { OutboundContent } from '../whatsapp/types.js';

/**
 * The bot flow's rules, without I/O: what each step asks, how an answer is understood, and the
 * words that skip straight to an agent. runner.ts applies them to a conversation.
 */

export type Lang = 'es' | 'en';

/** Written at any step, these go straight to routing. */
const AGENT_WORDS = ['agent', 'agente', 'asesor', 'asesora', 'humano', 'human', 'persona', 'operator', 'operador'];

export function normalize(s: string | null | undefined): string {
  return (s ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}@.+#_-]+/gu, ' ')
    .trim();
}

export function wantsAgent(text: string | null | undefined): boolean {
  const words = normalize(text).split(' ');
  return words.length <= 4 && words.some((w) => AGENT_WORDS.includes(w));
}

export const BUTTON_PREFIX = 'bf:';
const MAX_BUTTONS = 3;
const BUTTON_TITLE_MAX = 20;
/** Meta's interactive list (notes §8.8): 10 rows at most, row titles of 24 characters. */
const MAX_ROWS = 10;
const ROW_TITLE_MAX = 24;

const t = (l: Localized, lang: Lang) => l[lang] || l.es || l.en;

export const FLOW_TEXT = {
  retry: { es: 'No entendí tu respuesta.', en: 'Sorry, I did not understand your answer.' },
  toAgent: { es: 'Te comunicamos con un asesor. Te responderá en breve.', en: 'We are connecting you with an agent. They will answer shortly.' },
  /** The label of the button that opens a menu's list (20 characters at most). */
  listButton: { es: 'Ver opciones', en: 'See the options' },
  invalid: {
    email: { es: 'Escribe un correo válido, por ejemplo ana@empresa.com.', en: 'Please write a valid email, e.g. ann@company.com.' },
    phone: { es: 'Escribe un número de teléfono con su indicativo.', en: 'Please write a phone number with its country code.' },
    order_number: { es: 'Escribe el número de pedido (letras y números).', en: 'Please write the order number (letters and digits).' },
    company: { es: 'Escribe el nombre de tu empresa.', en: 'Please write the name of your company.' },
    text: { es: 'Escribe tu respuesta en un mensaje.', en: 'Please write your answer in one message.' },
  } satisfies Record<CollectField, Localized>,
};

/** The message that asks a step (greetings before it are merged in, so one turn is one message). */
export function stepMessage(step: BotStep, lang: Lang, prefix: string[] = []): OutboundContent {
  const body = [...prefix, t(step.text, lang)].filter(Boolean).join('\n\n');
  if (step.type !== 'menu') return { kind: 'text', text: body };
  const titles = step.options.map((o) => t(o.title, lang));
  const id = (i: number) => `${BUTTON_PREFIX}${step.id}:${step.options[i]!.id}`;
  if (step.options.length <= MAX_BUTTONS && titles.every((x) => [...x].length <= BUTTON_TITLE_MAX) && new Set(titles).size === titles.length) {
    return { kind: 'interactive_buttons', body: body.slice(0, 1024), buttons: titles.map((title, i) => ({ id: id(i), title })) };
  }
  // More options than reply buttons: an interactive list; the chosen row's id comes back.
  if (step.options.length <= MAX_ROWS && titles.every((x) => x.trim() && [...x].length <= ROW_TITLE_MAX)) {
    return { kind: 'interactive_list', body: body.slice(0, 4096), button: FLOW_TEXT.listButton[lang], sections: [{ rows: titles.map((title, i) => ({ id: id(i), title })) }] };
  }
  // What no interactive message can carry: a numbered text the customer answers by number or name.
  return { kind: 'text', text: [body, ...titles.map((x, i) => `${i + 1}. ${x}`)].join('\n') };
}

export type Understood =
  | { kind: 'option'; index: number; route: BotRoute }
  | { kind: 'value'; value: string }
  | { kind: 'invalid' };

/** A menu answer: the tapped button or chosen list row, the option's number, or its title. */
function menuAnswer(step: Extract<BotStep, { type: 'menu' }>, text: string | null, buttonId: string | null): Understood {
  let index = -1;
  if (buttonId?.startsWith(BUTTON_PREFIX)) index = step.options.findIndex((o) => buttonId === `${BUTTON_PREFIX}${step.id}:${o.id}`);
  const n = normalize(text);
  if (index < 0 && /^\d{1,2}$/.test(n)) index = Number(n) - 1;
  if (index < 0 && n) index = step.options.findIndex((o) => normalize(o.title.es) === n || normalize(o.title.en) === n);
  const option = step.options[index];
  return option ? { kind: 'option', index, route: option.route } : { kind: 'invalid' };
}

/** A collected value, validated for its field; what is written to the HubSpot property. */
export function collectValue(field: CollectField, raw: string | null): string | null {
  const v = (raw ?? '').trim();
  if (!v || v.length > 200 || /[\r\n]{2,}/.test(v)) return null;
  switch (field) {
    case 'email':
      return /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(v) ? v.toLowerCase() : null;
    case 'phone': {
      const digits = v.replace(/[\s().-]/g, '');
      return /^\+?\d{7,15}$/.test(digits) ? digits : null;
    }
    case 'order_number': {
      const id = v.replace(/^(pedido|orden|order|no\.?|n[°º]|#)\s*/i, '').replace(/^#/, '');
      return /^[A-Za-z0-9-]{3,30}$/.test(id) ? id.toUpperCase() : null;
    }
    default:
      return v.length >= 2 ? v : null;
  }
}

export function understand(step: BotStep, text: string | null, buttonId: string | null): Understood {
  if (step.type === 'menu') return menuAnswer(step, text, buttonId);
  if (step.type === 'collect') {
    const value = collectValue(step.field, text);
    return value === null ? { kind: 'invalid' } : { kind: 'value', value };
  }
  return { kind: 'value', value: '' };
}

/** The re-ask after an unexpected answer: why, then the same question. */
export function retryMessage(step: BotStep, lang: Lang): OutboundContent {
  const why = step.type === 'collect' ? FLOW_TEXT.invalid[step.field][lang] : FLOW_TEXT.retry[lang];
  return stepMessage(step, lang, [why]);
}

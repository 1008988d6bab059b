import { AppError } from '../errors.js';

/**
 * The local checks a template must pass before anything is sent to Meta (notes §11: name, limits,
 * variables, examples, buttons). Each problem is keyed by the field path of the submitted body
 * (`components.1.text`), so the form can show it next to the field.
 */

export interface TemplateDraft {
  name: string;
  language: string;
  category: string;
  parameter_format?: string;
  components: unknown[];
}

type Obj = Record<string, unknown>;
type Problems = Record<string, string>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;
export const TEMPLATE_LANGUAGE = /^[a-z]{2,3}(_[A-Z]{2})?$/;
export const CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
export const LIMITS = { header: 60, body: 1024, footer: 60, buttonText: 25, url: 2000, phone: 20, buttons: 10, quickReplies: 10, urlButtons: 2, phoneButtons: 1 };
/** Fixed words of text each variable needs around it (Meta's "too many variables for the length", 2388293). */
export const WORDS_PER_VARIABLE = 2;

const EMOJI = /\p{Extended_Pictographic}/u;
const MARKDOWN = /[*_~`]/;
const ANY_VAR = /\{\{([^{}]*)\}\}/g;

const len = (s: string) => [...s].length;

/** Problems with the placeholders of one text; returns the variable keys in order of appearance. */
function checkVariables(text: string, named: boolean, path: string, p: Problems): string[] {
  const opens = (text.match(/\{\{/g) ?? []).length;
  const closes = (text.match(/\}\}/g) ?? []).length;
  const raw = [...text.matchAll(ANY_VAR)].map((m) => m[1]!.trim());
  if (opens !== closes || opens !== raw.length) {
    p[path] = 'Mismatched curly braces: write variables as {{1}}';
    return [];
  }
  for (const v of raw) {
    if (/[#$%]/.test(v)) return ((p[path] = `Variable {{${v}}} must not contain #, $ or %`), []);
    if (named ? !/^[a-z_][a-z0-9_]*$/.test(v) : !/^\d+$/.test(v)) {
      return ((p[path] = named ? `Named variable {{${v}}}: lowercase letters, digits and underscores only` : `Variable {{${v}}} must be a number such as {{1}}`), []);
    }
  }
  const distinct = [...new Set(raw)];
  if (!named && distinct.some((v, i) => Number(v) !== i + 1)) {
    p[path] = `Variables must be sequential in order of appearance, starting at {{1}} (found ${distinct.map((v) => `{{${v}}}`).join(', ')})`;
  }
  return distinct;
}

/** Spaces, newlines and emoji where Meta (or its reviewers) refuse them. */
function checkText(text: string, path: string, p: Problems, o: { max: number; newlines: boolean; emoji: boolean; markdown?: boolean }): void {
  if (!text.trim()) return void (p[path] = 'Required');
  if (len(text) > o.max) return void (p[path] = `At most ${o.max} characters (${len(text)} now)`);
  if (!o.newlines && /[\r\n]/.test(text)) return void (p[path] = 'Line breaks are not allowed here');
  if (/\t/.test(text)) return void (p[path] = 'Tabs are not allowed');
  if (/ {2,}/.test(text)) return void (p[path] = 'No more than one space in a row');
  if (!o.emoji && EMOJI.test(text)) return void (p[path] = 'Emoji are not allowed here');
  if (o.markdown === false && MARKDOWN.test(text)) return void (p[path] = 'Formatting characters (* _ ~ `) are not allowed here');
}

function exampleValues(example: unknown, positional: string, named: string, nested: boolean): { values: unknown[] | null; key: string; names?: Map<string, unknown> } {
  if (!isObj(example)) return { values: null, key: positional };
  if (Array.isArray(example[named])) {
    const names = new Map<string, unknown>();
    for (const n of example[named] as unknown[]) if (isObj(n) && typeof n.param_name === 'string') names.set(n.param_name, n.example);
    return { values: [...names.values()], key: named, names };
  }
  const pos = example[positional];
  if (!Array.isArray(pos)) return { values: null, key: positional };
  return { values: nested ? (Array.isArray(pos[0]) ? (pos[0] as unknown[]) : null) : pos, key: positional };
}

function checkExamples(vars: string[], named: boolean, example: unknown, path: string, p: Problems, keys: { positional: string; named: string; nested: boolean }): void {
  if (!vars.length) return;
  const ex = exampleValues(example, keys.positional, keys.named, keys.nested);
  const where = `${path}.example`;
  if (!ex.values) return void (p[where] = `Give an example value for each variable (example.${named ? keys.named : keys.positional})`);
  if (named) {
    const missing = vars.filter((v) => typeof ex.names?.get(v) !== 'string' || !String(ex.names.get(v)).trim());
    if (missing.length) p[where] = `Give an example for ${missing.map((v) => `{{${v}}}`).join(', ')}`;
    return;
  }
  if (ex.values.length !== vars.length) return void (p[where] = `${vars.length} variable${vars.length === 1 ? '' : 's'} need${vars.length === 1 ? 's' : ''} ${vars.length} example${vars.length === 1 ? '' : 's'} (got ${ex.values.length})`);
  const i = ex.values.findIndex((v) => typeof v !== 'string' || !v.trim());
  if (i >= 0) p[`${where}.${i}`] = 'Example values must not be empty';
}

function lintHeader(c: Obj, path: string, named: boolean, category: string, p: Problems): void {
  const format = String(c.format ?? '').toUpperCase();
  if (!['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'].includes(format)) return void (p[`${path}.format`] = 'TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION');
  if (format === 'TEXT') {
    const text = typeof c.text === 'string' ? c.text : '';
    checkText(text, `${path}.text`, p, { max: LIMITS.header, newlines: false, emoji: false, markdown: false });
    const vars = checkVariables(text, named, `${path}.text`, p);
    if (vars.length > 1) p[`${path}.text`] = 'A text header can have at most one variable';
    checkExamples(vars.slice(0, 1), named, c.example, path, p, { positional: 'header_text', named: 'header_text_named_params', nested: false });
    return;
  }
  if (format === 'LOCATION') {
    if (category === 'AUTHENTICATION') p[`${path}.format`] = 'Location headers are for UTILITY and MARKETING templates';
    return;
  }
  const handle = isObj(c.example) ? c.example.header_handle : undefined;
  if (!Array.isArray(handle) || !handle.length || typeof handle[0] !== 'string' || !handle[0]) {
    p[`${path}.example`] = `A ${format.toLowerCase()} header needs a sample file: upload one (headerMedia)`;
  }
}

function lintBody(c: Obj, path: string, named: boolean, p: Problems): void {
  const text = typeof c.text === 'string' ? c.text : '';
  checkText(text, `${path}.text`, p, { max: LIMITS.body, newlines: true, emoji: true });
  if (p[`${path}.text`]) return;
  const vars = checkVariables(text, named, `${path}.text`, p);
  if (p[`${path}.text`] || !vars.length) return;
  const trimmed = text.trim();
  if (/^\{\{[^{}]*\}\}/.test(trimmed)) return void (p[`${path}.text`] = 'The text must not start with a variable');
  if (/\{\{[^{}]*\}\}$/.test(trimmed)) return void (p[`${path}.text`] = 'The text must not end with a variable');
  if (/\}\}\s*\{\{/.test(text)) return void (p[`${path}.text`] = 'Two variables are next to each other: put words between them');
  const occurrences = [...text.matchAll(ANY_VAR)].length;
  const words = text.replace(ANY_VAR, ' ').split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
  if (words < WORDS_PER_VARIABLE * occurrences) {
    p[`${path}.text`] = `Too many variables for the length of the text: ${occurrences} variable${occurrences === 1 ? '' : 's'} need at least ${WORDS_PER_VARIABLE * occurrences} words around them (${words} now)`;
    return;
  }
  checkExamples(vars, named, c.example, path, p, { positional: 'body_text', named: 'body_text_named_params', nested: true });
}

function lintFooter(c: Obj, path: string, p: Problems): void {
  const text = typeof c.text === 'string' ? c.text : '';
  checkText(text, `${path}.text`, p, { max: LIMITS.footer, newlines: false, emoji: true });
  if (!p[`${path}.text`] && /\{\{/.test(text)) p[`${path}.text`] = 'The footer cannot have variables';
}

function lintButton(b: unknown, path: string, p: Problems): string {
  if (!isObj(b)) return ((p[path] = 'Must be a button object'), '');
  const type = String(b.type ?? '').toUpperCase();
  if (!['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'COPY_CODE'].includes(type)) return ((p[`${path}.type`] = 'QUICK_REPLY, URL, PHONE_NUMBER or COPY_CODE'), type);
  if (type !== 'COPY_CODE') checkText(typeof b.text === 'string' ? b.text : '', `${path}.text`, p, { max: LIMITS.buttonText, newlines: false, emoji: false });
  if (type === 'URL') {
    const url = typeof b.url === 'string' ? b.url : '';
    const vars = [...url.matchAll(ANY_VAR)];
    if (!/^https?:\/\/[^\s/]+\.[^\s]+/.test(url.replace(ANY_VAR, 'x'))) p[`${path}.url`] = 'A full https:// address';
    else if (len(url) > LIMITS.url) p[`${path}.url`] = `At most ${LIMITS.url} characters`;
    else if (vars.length > 1) p[`${path}.url`] = 'A URL can have one variable, at its end';
    else if (vars.length === 1 && !/\{\{\s*1\s*\}\}$/.test(url)) p[`${path}.url`] = 'The variable must be {{1}}, at the end of the URL';
    else if (vars.length === 1 && (!Array.isArray(b.example) || typeof b.example[0] !== 'string' || !b.example[0])) {
      p[`${path}.example`] = 'Give an example of the full URL';
    }
  }
  if (type === 'PHONE_NUMBER') {
    const phone = typeof b.phone_number === 'string' ? b.phone_number : '';
    if (!/^\+?\d{6,19}$/.test(phone.replace(/[\s-]/g, '')) || len(phone) > LIMITS.phone) p[`${path}.phone_number`] = 'A phone number in international format, e.g. +573001234567';
  }
  if (type === 'COPY_CODE' && (!Array.isArray(b.example) ? typeof b.example !== 'string' || !b.example || len(b.example) > 15 : false)) {
    p[`${path}.example`] = 'An example code of at most 15 characters';
  }
  return type;
}

function lintButtons(c: Obj, path: string, p: Problems): void {
  const buttons = c.buttons;
  if (!Array.isArray(buttons) || !buttons.length) return void (p[`${path}.buttons`] = 'Add at least one button or remove the buttons');
  if (buttons.length > LIMITS.buttons) return void (p[`${path}.buttons`] = `At most ${LIMITS.buttons} buttons`);
  const types = buttons.map((b, j) => lintButton(b, `${path}.buttons.${j}`, p));
  const count = (t: string) => types.filter((x) => x === t).length;
  if (count('URL') > LIMITS.urlButtons) p[`${path}.buttons`] = `At most ${LIMITS.urlButtons} URL buttons`;
  else if (count('PHONE_NUMBER') > LIMITS.phoneButtons) p[`${path}.buttons`] = 'At most one phone number button';
  else if (count('COPY_CODE') > 1) p[`${path}.buttons`] = 'At most one copy-code button';
  else {
    const qr = types.flatMap((t, j) => (t === 'QUICK_REPLY' ? [j] : []));
    if (qr.length && qr[qr.length - 1]! - qr[0]! !== qr.length - 1) p[`${path}.buttons`] = 'Quick replies must be next to each other (before or after the other buttons)';
  }
}

/** Every local problem of a template draft; `blockedNames` are names a rejected or deleted template used. */
export function lintTemplate(draft: TemplateDraft, blockedNames: ReadonlySet<string> = new Set()): Problems {
  const p: Problems = {};
  const name = typeof draft.name === 'string' ? draft.name : '';
  if (!TEMPLATE_NAME.test(name)) p.name = 'Lowercase letters, digits and underscores only, at most 512 characters';
  else if (blockedNames.has(name)) p.name = 'A rejected or deleted template used this name: choose another one';
  if (typeof draft.language !== 'string' || !TEMPLATE_LANGUAGE.test(draft.language)) p.language = 'A locale code such as es, es_CO or en_US';
  if (!CATEGORIES.includes(String(draft.category) as (typeof CATEGORIES)[number])) p.category = 'MARKETING, UTILITY or AUTHENTICATION';
  const format = String(draft.parameter_format ?? 'POSITIONAL').toUpperCase();
  if (format !== 'POSITIONAL' && format !== 'NAMED') p.parameter_format = 'positional or named';
  const named = format === 'NAMED';
  if (!Array.isArray(draft.components) || !draft.components.length) return { ...p, components: 'Add a body' };

  const seen = new Map<string, number>();
  draft.components.forEach((c, i) => {
    const path = `components.${i}`;
    if (!isObj(c)) return void (p[path] = 'Must be a component object');
    const type = String(c.type ?? '').toUpperCase();
    if (seen.has(type)) return void (p[`${path}.type`] = `Only one ${type} component`);
    seen.set(type, i);
    if (type === 'HEADER') lintHeader(c, path, named, String(draft.category), p);
    else if (type === 'BODY') lintBody(c, path, named, p);
    else if (type === 'FOOTER') lintFooter(c, path, p);
    else if (type === 'BUTTONS') lintButtons(c, path, p);
    else p[`${path}.type`] = 'HEADER, BODY, FOOTER or BUTTONS';
  });
  if (!seen.has('BODY')) p.components = 'A template needs a BODY';
  const order = ['HEADER', 'BODY', 'FOOTER', 'BUTTONS'].filter((t) => seen.has(t)).map((t) => seen.get(t)!);
  if (!p.components && order.some((v, i) => i > 0 && v < order[i - 1]!)) p.components = 'Components go in this order: HEADER, BODY, FOOTER, BUTTONS';
  return p;
}

/** Throws 422 TEMPLATE_LINT with every problem when the draft breaks a rule; nothing reaches Meta. */
export function assertTemplateLint(draft: TemplateDraft, blockedNames?: ReadonlySet<string>): void {
  const details = lintTemplate(draft, blockedNames);
  const keys = Object.keys(details);
  if (keys.length) throw new AppError(422, 'TEMPLATE_LINT', `The template breaks Meta's rules: ${keys[0]} ${details[keys[0]!]}`, details);
}

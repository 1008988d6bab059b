// Message templates: placeholder analysis, creation rules and send-time parameter checks.
import { errors, GraphError } from './errors.js';
import type { TemplateCategory, TemplateComponent, TemplateRecord } from './types.js';

export const TEMPLATE_NAME_RE = /^[a-z0-9_]{1,512}$/;
/** Locale codes as Meta writes them (en, en_US, es_CO, zh_HK, fil …); the exact list changes often. */
export const LANGUAGE_RE = /^[a-z]{2,3}(_[A-Z]{2})?$/;
const CATEGORIES: TemplateCategory[] = ['MARKETING', 'UTILITY', 'AUTHENTICATION'];
const HEADER_FORMATS = ['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'];
const BUTTON_TYPES = ['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'COPY_CODE', 'OTP', 'FLOW', 'CATALOG', 'MPM', 'SPM', 'VOICE_CALL'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---- placeholders ----------------------------------------------------------------------------

export function positionalVars(text: string | undefined): number[] {
  return [...(text ?? '').matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => Number(m[1]));
}

export function namedVars(text: string | undefined): string[] {
  return [...(text ?? '').matchAll(/\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/g)].map((m) => m[1]);
}

/** Distinct placeholders of a text in the template's parameter format. */
export function placeholders(text: string | undefined, format: 'POSITIONAL' | 'NAMED'): string[] {
  const all = format === 'NAMED' ? namedVars(text) : positionalVars(text).map(String);
  return [...new Set(all)];
}

export function hasAdjacentPlaceholders(text: string | undefined): boolean {
  return /\}\}\s*\{\{/.test(text ?? '');
}

const comp = (t: Pick<TemplateRecord, 'components'>, type: string): TemplateComponent | undefined =>
  t.components.find((c) => String(c.type).toUpperCase() === type);

export function templateButtons(t: Pick<TemplateRecord, 'components'>): Obj[] {
  return (comp(t, 'BUTTONS')?.buttons as Obj[] | undefined) ?? [];
}

/** What a send must supply for this template. */
export function templateParamSpec(t: TemplateRecord): {
  header: { kind: 'none' } | { kind: 'text'; vars: string[] } | { kind: 'media'; format: string };
  body: string[];
  buttons: Array<{ type: string; requiresParam: boolean }>;
} {
  const h = comp(t, 'HEADER');
  let header: { kind: 'none' } | { kind: 'text'; vars: string[] } | { kind: 'media'; format: string } = { kind: 'none' };
  if (h) {
    const format = String(h.format ?? 'TEXT').toUpperCase();
    header = format === 'TEXT' ? { kind: 'text', vars: placeholders(h.text, t.parameterFormat) } : { kind: 'media', format };
  }
  const b = comp(t, 'BODY');
  const body = t.category === 'AUTHENTICATION' && !b?.text ? ['1'] : placeholders(b?.text, t.parameterFormat);
  const buttons = templateButtons(t).map((btn) => {
    const type = String(btn.type ?? '').toUpperCase();
    const requiresParam =
      (type === 'URL' && placeholders(String(btn.url ?? ''), 'POSITIONAL').length > 0) ||
      type === 'OTP' ||
      type === 'COPY_CODE';
    return { type, requiresParam };
  });
  return { header, body, buttons };
}

// ---- send-time validation ----------------------------------------------------------------------

const BUTTON_SUBTYPES: Record<string, string[]> = {
  QUICK_REPLY: ['quick_reply'],
  URL: ['url'],
  OTP: ['url', 'copy_code'],
  COPY_CODE: ['copy_code'],
  FLOW: ['flow'],
  CATALOG: ['catalog'],
  MPM: ['mpm'],
  SPM: ['spm'],
  PHONE_NUMBER: ['phone_number'],
  VOICE_CALL: ['voice_call'],
};

function paramText(p: Obj): string {
  const t = String(p.type ?? '').toLowerCase();
  if (t === 'text') return String(p.text);
  if (t === 'currency' && isObj(p.currency)) return String(p.currency.fallback_value ?? '');
  if (t === 'date_time' && isObj(p.date_time)) return String(p.date_time.fallback_value ?? '');
  return `[${t}]`;
}

function checkParamShape(p: unknown, where: string): Obj {
  if (!isObj(p)) throw errors.invalidParam(`${where} must be an object`);
  const type = String(p.type ?? '').toLowerCase();
  if (!type) throw errors.paramRequired(`${where}['type']`);
  const need = (key: string, ok: boolean): void => {
    if (!ok) throw errors.requiredParamMissing(`${where}['${key}'] is required for a parameter of type ${type}`);
  };
  switch (type) {
    case 'text':
      need('text', p.text !== undefined && p.text !== null && String(p.text) !== '');
      if (typeof p.text === 'string' && (/[\n\t]/.test(p.text) || / {5,}/.test(p.text))) {
        throw errors.invalidParam('Param text cannot have new-line/tab characters or more than 4 consecutive spaces');
      }
      break;
    case 'currency':
      need('currency', isObj(p.currency) && p.currency.fallback_value !== undefined && p.currency.code !== undefined && p.currency.amount_1000 !== undefined);
      break;
    case 'date_time':
      need('date_time', isObj(p.date_time) && p.date_time.fallback_value !== undefined);
      break;
    case 'image':
    case 'video':
    case 'document': {
      const m = p[type];
      need(type, isObj(m) && (typeof m.id === 'string' || typeof m.link === 'string'));
      break;
    }
    case 'location':
      need('location', isObj(p.location) && p.location.latitude !== undefined && p.location.longitude !== undefined);
      break;
    case 'payload':
      need('payload', p.payload !== undefined);
      break;
    case 'coupon_code':
      need('coupon_code', p.coupon_code !== undefined);
      break;
    case 'action':
      need('action', isObj(p.action));
      break;
    default:
      break;
  }
  return p;
}

/**
 * Checks the `components` of a template send against the stored definition, like Meta (132000 on a count
 * mismatch, 132012 on a header format mismatch, 131008 for a missing URL-button parameter) and returns the
 * filled-in body text.
 */
export function checkTemplateSend(t: TemplateRecord, components: unknown): { renderedBody: string } {
  if (components !== undefined && !Array.isArray(components)) {
    throw errors.invalidParam("Param template['components'] must be an array");
  }
  const spec = templateParamSpec(t);
  let headerParams: Obj[] | undefined;
  let bodyParams: Obj[] | undefined;
  const buttonParams = new Map<number, Obj[]>();

  ((components as unknown[]) ?? []).forEach((c, i) => {
    const where = `template['components'][${i}]`;
    if (!isObj(c)) throw errors.invalidParam(`${where} must be an object`);
    const type = String(c.type ?? '').toLowerCase();
    const params = c.parameters ?? [];
    if (!Array.isArray(params)) throw errors.invalidParam(`${where}['parameters'] must be an array`);
    const checked = params.map((p, j) => checkParamShape(p, `${where}['parameters'][${j}]`));
    if (type === 'header') headerParams = checked;
    else if (type === 'body') bodyParams = checked;
    else if (type === 'button') {
      const index = Number(c.index);
      const btn = spec.buttons[index];
      if (!Number.isInteger(index) || !btn) {
        throw errors.paramValueInvalid(`buttons: Button at index ${String(c.index)} does not exist in template ${t.name}`);
      }
      const sub = String(c.sub_type ?? '').toLowerCase();
      if (!(BUTTON_SUBTYPES[btn.type] ?? [btn.type.toLowerCase()]).includes(sub)) {
        throw errors.paramValueInvalid(`buttons: Button at index ${index} is of type ${btn.type}, received sub_type ${sub || 'none'}`);
      }
      buttonParams.set(index, checked);
    } else if (type === 'carousel' || type === 'limited_time_offer') {
      // accepted, not checked
    } else {
      throw errors.paramMessage(`Param ${where}['type'] must be one of {HEADER, BODY, BUTTON, CAROUSEL, LIMITED_TIME_OFFER} - got "${type}".`);
    }
  });

  // header
  if (spec.header.kind === 'media') {
    const got = headerParams?.[0] ? String(headerParams[0].type).toUpperCase() : 'UNKNOWN';
    if (!headerParams || headerParams.length !== 1 || got !== spec.header.format) {
      throw errors.templateParamFormat(`header: Format mismatch, expected ${spec.header.format}, received ${got}`);
    }
  } else {
    const expected = spec.header.kind === 'text' ? spec.header.vars.length : 0;
    const got = headerParams?.length ?? 0;
    if (got !== expected) {
      throw errors.templateParamCount(`header: number of localizable_params (${got}) does not match the expected number of params (${expected})`);
    }
    if (headerParams?.some((p) => String(p.type).toLowerCase() !== 'text')) {
      throw errors.templateParamFormat('header: Format mismatch, expected TEXT');
    }
  }

  // body
  const got = bodyParams?.length ?? 0;
  if (got !== spec.body.length) {
    throw errors.templateParamCount(`body: number of localizable_params (${got}) does not match the expected number of params (${spec.body.length})`);
  }
  let values = new Map<string, string>();
  if (t.parameterFormat === 'NAMED') {
    for (const p of bodyParams ?? []) {
      const name = typeof p.parameter_name === 'string' ? p.parameter_name : undefined;
      if (!name || !spec.body.includes(name)) {
        throw errors.templateParamCount(`body: parameter_name ${name ?? '(missing)'} does not match the template's params (${spec.body.join(', ')})`);
      }
      values.set(name, paramText(p));
    }
  } else {
    values = new Map((bodyParams ?? []).map((p, i) => [String(i + 1), paramText(p)]));
  }

  // buttons
  spec.buttons.forEach((b, i) => {
    const ps = buttonParams.get(i);
    if (b.requiresParam && (!ps || ps.length === 0)) {
      throw errors.requiredParamMissing(`buttons: Button at index ${i} of type ${b.type} requires a parameter`);
    }
    if (ps && ps.length > 1) {
      throw errors.templateParamCount(`buttons: number of params (${ps.length}) for button at index ${i} does not match the expected number of params (1)`);
    }
  });

  const bodyText = String(comp(t, 'BODY')?.text ?? '');
  const renderedBody = bodyText.replace(/\{\{\s*([a-z0-9_]+)\s*\}\}/g, (m, k: string) => values.get(k) ?? m);
  return { renderedBody };
}

// ---- creation ----------------------------------------------------------------------------------

export interface NewTemplate {
  name: string;
  language: string;
  category: TemplateCategory;
  parameterFormat: 'POSITIONAL' | 'NAMED';
  components: TemplateComponent[];
}

const createError = (subcode: number | undefined, title: string, msg: string): GraphError =>
  subcode === undefined
    ? new GraphError({ code: 100, message: 'Invalid parameter', isTransient: false, userTitle: title, userMsg: msg })
    : errors.templateCreate(subcode, title, msg);

function parseMaybeJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function checkVars(text: string, format: 'POSITIONAL' | 'NAMED', where: string): string[] {
  const raw = [...text.matchAll(/\{\{([^}]*)\}\}/g)].map((m) => m[1].trim());
  if (/\{\{[^}]*$|^[^{]*\}\}/.test(text) || (text.match(/\{\{/g)?.length ?? 0) !== raw.length) {
    throw createError(2388072, 'Invalid Format', `${where} has mismatched curly braces.`);
  }
  if (format === 'NAMED') {
    for (const v of raw) {
      if (!/^[a-z_][a-z0-9_]*$/.test(v)) {
        throw createError(2388072, 'Invalid Parameter Name', `${where}: named parameters can only contain lowercase letters, numbers and underscores (got {{${v}}}).`);
      }
    }
    return [...new Set(raw)];
  }
  const nums = raw.map((v) => {
    if (!/^\d+$/.test(v)) throw createError(2388072, 'Invalid Format', `${where}: variable {{${v}}} must be a number for positional parameters.`);
    return Number(v);
  });
  const distinct = [...new Set(nums)];
  distinct.forEach((n, i) => {
    if (n !== i + 1) throw createError(2388072, 'Invalid Format', `${where}: variables must be sequential, starting at {{1}}.`);
  });
  return distinct.map(String);
}

/** Validates a create body like Meta's synchronous checks; review-time rejections happen later. */
export function validateNewTemplate(body: Obj): NewTemplate {
  for (const p of ['name', 'language', 'category', 'components']) {
    if (body[p] === undefined || body[p] === '') throw errors.paramRequired(p);
  }
  const name = String(body.name);
  if (!TEMPLATE_NAME_RE.test(name)) {
    throw createError(undefined, 'Invalid Template Name', 'Template names can only contain lowercase letters, numbers and underscores, up to 512 characters.');
  }
  const language = String(body.language);
  if (!LANGUAGE_RE.test(language)) {
    throw errors.paramMessage(`Param language must be a valid locale code such as en_US or es - got "${language}".`);
  }
  const category = String(body.category).toUpperCase() as TemplateCategory;
  if (!CATEGORIES.includes(category)) {
    throw errors.paramMessage(`Param category must be one of {AUTHENTICATION, MARKETING, UTILITY} - got "${String(body.category)}".`);
  }
  const pf = String(body.parameter_format ?? 'positional').toUpperCase();
  if (pf !== 'POSITIONAL' && pf !== 'NAMED') {
    throw errors.paramMessage(`Param parameter_format must be one of {POSITIONAL, NAMED} - got "${String(body.parameter_format)}".`);
  }
  const parameterFormat = pf as 'POSITIONAL' | 'NAMED';
  const comps = parseMaybeJson(body.components);
  if (!Array.isArray(comps) || comps.length === 0) throw errors.invalidParam("Param components must be a non-empty array");

  const components: TemplateComponent[] = [];
  let bodies = 0;
  for (const [i, c] of comps.entries()) {
    if (!isObj(c)) throw errors.invalidParam(`components[${i}] must be an object`);
    const type = String(c.type ?? '').toUpperCase();
    const out: TemplateComponent = { ...c, type };
    const example = isObj(c.example) ? c.example : undefined;
    switch (type) {
      case 'HEADER': {
        const format = String(c.format ?? '').toUpperCase();
        if (!HEADER_FORMATS.includes(format)) throw createError(2388047, 'Invalid Header Format', `Header format must be one of ${HEADER_FORMATS.join(', ')}.`);
        out.format = format;
        if (format === 'TEXT') {
          const text = String(c.text ?? '');
          if (!text) throw errors.paramRequired(`components[${i}]['text']`);
          if (text.length > 60) throw createError(2388040, 'Character Limit Exceeded', 'Header text is limited to 60 characters.');
          const vars = checkVars(text, parameterFormat, 'Header');
          if (vars.length > 1) throw createError(2388047, 'Invalid Header Format', 'A text header can contain at most 1 variable.');
          if (vars.length === 1 && !(example && (example.header_text || example.header_text_named_params))) {
            throw createError(2388043, 'Missing Sample Values', 'Header variables need sample values in example.header_text.');
          }
        } else if (format !== 'LOCATION') {
          const handle = example?.header_handle;
          if (!Array.isArray(handle) || handle.length === 0) {
            throw createError(2388043, 'Missing Sample Values', `A ${format} header needs example.header_handle from the Resumable Upload API.`);
          }
        } else if (category === 'AUTHENTICATION') {
          throw createError(2388047, 'Invalid Header Format', 'Location headers are only allowed in UTILITY and MARKETING templates.');
        }
        break;
      }
      case 'BODY': {
        bodies++;
        if (category === 'AUTHENTICATION' && c.text === undefined) break;
        const text = String(c.text ?? '');
        if (!text) throw errors.paramRequired(`components[${i}]['text']`);
        if (text.length > 1024) throw createError(2388040, 'Character Limit Exceeded', 'Body text is limited to 1024 characters.');
        const vars = checkVars(text, parameterFormat, 'Body');
        if (vars.length > 0) {
          const t = text.trim();
          if (/^\{\{[^}]*\}\}/.test(t) || /\{\{[^}]*\}\}$/.test(t)) {
            throw createError(2388299, 'Variables Can\u2019t Be at the Start or End of the Template', 'Variables can\u2019t be at the start or end of the template body.');
          }
          const samples =
            parameterFormat === 'NAMED'
              ? (example?.body_text_named_params as unknown[] | undefined)
              : (Array.isArray(example?.body_text) ? (example.body_text as unknown[])[0] : undefined);
          if (!Array.isArray(samples) || samples.length !== vars.length) {
            throw createError(2388043, 'Missing Sample Values', `The body has ${vars.length} variable(s) and needs as many sample values in example.`);
          }
        }
        break;
      }
      case 'FOOTER': {
        if (c.text === undefined && c.code_expiration_minutes !== undefined) break;
        const text = String(c.text ?? '');
        if (text.length > 60) throw createError(2388040, 'Character Limit Exceeded', 'Footer text is limited to 60 characters.');
        if (/\{\{/.test(text)) throw createError(2388073, 'Invalid Footer Format', 'The footer can\u2019t contain variables.');
        break;
      }
      case 'BUTTONS': {
        const buttons = c.buttons;
        if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > 10) {
          throw createError(undefined, 'Invalid Buttons', 'A BUTTONS component needs 1 to 10 buttons.');
        }
        const types = buttons.map((b) => String(isObj(b) ? (b.type ?? '') : '').toUpperCase());
        types.forEach((bt, j) => {
          if (!BUTTON_TYPES.includes(bt)) throw createError(undefined, 'Invalid Button Type', `Button ${j} has an unknown type ${bt}.`);
        });
        const count = (bt: string): number => types.filter((x) => x === bt).length;
        if (count('URL') > 2) throw createError(undefined, 'Too Many Buttons', 'At most 2 URL buttons are allowed.');
        if (count('PHONE_NUMBER') > 1) throw createError(undefined, 'Too Many Buttons', 'At most 1 phone number button is allowed.');
        if (count('COPY_CODE') > 1) throw createError(undefined, 'Too Many Buttons', 'At most 1 copy code button is allowed.');
        const qr = types.map((bt, j) => (bt === 'QUICK_REPLY' ? j : -1)).filter((j) => j >= 0);
        if (qr.length > 0 && qr[qr.length - 1] - qr[0] !== qr.length - 1) {
          throw createError(undefined, 'Invalid Button Order', 'Quick reply buttons must be grouped together.');
        }
        buttons.forEach((b, j) => {
          const bb = b as Obj;
          const bt = types[j];
          if (bt !== 'OTP' && bt !== 'CATALOG' && bt !== 'MPM' && bt !== 'SPM' && bt !== 'COPY_CODE') {
            const text = String(bb.text ?? '');
            if (!text) throw errors.paramRequired(`components[${i}]['buttons'][${j}]['text']`);
            if (text.length > 25) throw createError(2388040, 'Character Limit Exceeded', 'Button text is limited to 25 characters.');
          }
          if (bt === 'URL') {
            const url = String(bb.url ?? '');
            if (!/^https?:\/\//.test(url) || url.length > 2000) throw createError(undefined, 'Invalid URL', `Button ${j} needs a valid URL.`);
            const vars = positionalVars(url);
            if (vars.length > 1 || (vars.length === 1 && !/\{\{\s*1\s*\}\}$/.test(url))) {
              throw createError(undefined, 'Invalid URL', 'A URL button can have one variable, at the end of the URL.');
            }
            if (vars.length === 1 && !Array.isArray(bb.example)) {
              throw createError(2388043, 'Missing Sample Values', 'A URL button with a variable needs an example URL.');
            }
          }
          if (bt === 'PHONE_NUMBER' && String(bb.phone_number ?? '').length > 20) {
            throw createError(2388040, 'Character Limit Exceeded', 'Phone numbers are limited to 20 characters.');
          }
        });
        out.buttons = buttons.map((b) => ({ ...(b as Obj), type: String((b as Obj).type).toUpperCase() }));
        break;
      }
      default:
        if (!['CAROUSEL', 'LIMITED_TIME_OFFER', 'CALL_PERMISSION_REQUEST'].includes(type)) {
          throw errors.paramMessage(`Param components[${i}]['type'] must be one of {HEADER, BODY, FOOTER, BUTTONS} - got "${String(c.type)}".`);
        }
    }
    components.push(out);
  }
  if (bodies !== 1) throw createError(2388072, 'Invalid Body', 'A template needs exactly one BODY component.');
  return { name, language, category, parameterFormat, components };
}

/** The review outcome the simulator applies after templateReviewMs. */
export function reviewOutcome(t: TemplateRecord): { approved: true } | { approved: false; reason: string; rejectionInfo?: { reason: string; recommendation: string } } {
  const body = t.components.find((c) => c.type === 'BODY');
  if (hasAdjacentPlaceholders(body?.text)) {
    return {
      approved: false,
      reason: 'INVALID_FORMAT',
      rejectionInfo: {
        reason: 'Your template has parameters placed next to each other (like {{1}}{{2}}) without text or punctuation between them.',
        recommendation: 'Separate parameters with descriptive text and ensure each parameter is clearly contextualized.',
      },
    };
  }
  if (t.name.startsWith('reject_')) {
    return {
      approved: false,
      reason: 'INVALID_FORMAT',
      rejectionInfo: {
        reason: 'The simulator rejects every template whose name starts with reject_.',
        recommendation: 'Choose a name that does not start with reject_ to get the template approved.',
      },
    };
  }
  return { approved: true };
}

/** Graph representation of a template, restricted to `fields` when given (id is always included). */
export const TEMPLATE_FIELDS = [
  'id',
  'name',
  'components',
  'language',
  'status',
  'category',
  'parameter_format',
  'previous_category',
  'sub_category',
  'quality_score',
  'rejected_reason',
  'last_updated_time',
  'message_send_ttl_seconds',
  'cta_url_link_tracking_opted_out',
  'library_template_name',
];

export function templateJson(t: TemplateRecord, fields?: string[]): Obj {
  const all: Obj = {
    name: t.name,
    parameter_format: t.parameterFormat,
    components: t.components,
    language: t.language,
    status: t.status,
    category: t.category,
    id: t.id,
  };
  if (!fields) return all;
  const extra: Obj = {
    quality_score: { score: t.qualityScore, date: Math.floor(t.updatedAt / 1000) },
    rejected_reason: t.rejectedReason,
    last_updated_time: new Date(t.updatedAt).toISOString().replace(/\.\d{3}Z$/, '+0000'),
  };
  const out: Obj = {};
  for (const f of fields) {
    if (f in all) out[f] = all[f];
    else if (f in extra) out[f] = extra[f];
  }
  out.id = t.id;
  return out;
}

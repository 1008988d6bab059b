// Message templates: placeholder analysis and send-time parameter checks (creation: template-create.ts).
import { errors } from './errors.js';
import type { TemplateComponent, TemplateRecord } from './types.js';

export const TEMPLATE_NAME_RE = /^[a-z0-9_]{1,512}$/;
/** Locale codes as Meta writes them (en, en_US, es_CO, zh_HK, fil …); the exact list changes often. */
export const LANGUAGE_RE = /^[a-z]{2,3}(_[A-Z]{2})?$/;

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

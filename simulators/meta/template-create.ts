// Template creation: Meta's synchronous checks (error codes of notes §11.5) and the later review outcome.
import { errors, GraphError } from './errors.js';
import { hasAdjacentPlaceholders, LANGUAGE_RE, positionalVars, TEMPLATE_NAME_RE } from './templates.js';
import type { TemplateCategory, TemplateComponent, TemplateRecord } from './types.js';

const CATEGORIES: TemplateCategory[] = ['MARKETING', 'UTILITY', 'AUTHENTICATION'];
const HEADER_FORMATS = ['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'];
const BUTTON_TYPES = ['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'COPY_CODE', 'OTP', 'FLOW', 'CATALOG', 'MPM', 'SPM', 'VOICE_CALL'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

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
          // Meta: "too many parameters for the message length" (its exact ratio is unpublished).
          const words = t.replace(/\{\{[^}]*\}\}/g, ' ').split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
          if (words < [...t.matchAll(/\{\{[^}]*\}\}/g)].length) {
            throw createError(2388293, 'Too Many Variables For Message Length', 'This template contains too many variable parameters relative to the message length.');
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

type Outcome = { approved: true } | { approved: false; reason: string; rejectionInfo?: { reason: string; recommendation: string } };
const reject = (reason: string, why: string, recommendation: string): Outcome => ({ approved: false, reason, rejectionInfo: { reason: why, recommendation } });

/** Asking for full card, account or national-ID numbers, or passwords (Meta's review policy). */
const SENSITIVE = /(n[uú]mero de (tu )?tarjeta|card number|c[eé]dula completa|full (card|account) number|contrase[nñ]a|password|\bcvv\b)/i;
/** Promotional wording in a UTILITY template (Meta re-categorises or rejects it). */
const PROMOTIONAL = /(descuento|discount|promo(ci[oó]n)?|oferta|\d+\s?% off|compra ya|buy now)/i;

/** The review outcome the simulator applies after templateReviewMs (names starting reject_ are always rejected). */
export function reviewOutcome(t: TemplateRecord): Outcome {
  const body = t.components.find((c) => c.type === 'BODY');
  const text = String(body?.text ?? '');
  if (hasAdjacentPlaceholders(text)) {
    return reject(
      'INVALID_FORMAT',
      'Your template has parameters placed next to each other (like {{1}}{{2}}) without text or punctuation between them.',
      'Separate parameters with descriptive text and ensure each parameter is clearly contextualized.',
    );
  }
  if (SENSITIVE.test(text)) {
    return reject('SCAM', 'Your template asks customers for sensitive data such as full card numbers or passwords.', 'Never ask for full card, account or ID numbers or passwords; ask for the last 4 digits at most.');
  }
  if (t.category === 'UTILITY' && PROMOTIONAL.test(text)) {
    return reject('INCORRECT_CATEGORY', 'Your template is promotional but was submitted as UTILITY.', 'Submit promotional content in the MARKETING category.');
  }
  if (t.name.startsWith('reject_')) {
    return reject('INVALID_FORMAT', 'The simulator rejects every template whose name starts with reject_.', 'Choose a name that does not start with reject_ to get the template approved.');
  }
  return { approved: true };
}

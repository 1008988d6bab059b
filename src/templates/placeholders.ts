import { AppError } from '../errors.js';

/** A template component as Meta returns it (HEADER, BODY, FOOTER, BUTTONS…). */
export interface TemplateComponent {
  type: string;
  format?: string;
  text?: string;
  example?: Record<string, unknown>;
  buttons?: Array<{ type?: string; text?: string; url?: string; example?: unknown; [k: string]: unknown }>;
  [k: string]: unknown;
}

/** One value the sender must supply, in send order: header, then body, then URL buttons. */
export interface Placeholder {
  component: 'header' | 'body' | 'button';
  /** 1-based position inside its component ({{1}}, {{2}}; named ones in order of appearance). */
  index: number;
  /** Named parameter (`{{first_name}}`), when the template uses the named format. */
  name?: string;
  example?: string;
  /** For URL buttons: the button's position in the BUTTONS component. */
  buttonIndex?: number;
}

export interface TemplateDefinition {
  name: string;
  language: string;
  parameter_format: string;
  components: TemplateComponent[];
}

const VAR = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

function varsOf(text: string | undefined): string[] {
  if (!text) return [];
  const seen: string[] = [];
  for (const m of text.matchAll(VAR)) if (!seen.includes(m[1]!)) seen.push(m[1]!);
  return seen;
}

function comp(components: TemplateComponent[], type: string): TemplateComponent | undefined {
  return components.find((c) => String(c.type).toUpperCase() === type);
}

function exampleList(example: Record<string, unknown> | undefined, positionalKey: string, namedKey: string): { byIndex: string[]; byName: Map<string, string> } {
  const byName = new Map<string, string>();
  let byIndex: string[] = [];
  const pos = example?.[positionalKey];
  if (Array.isArray(pos)) byIndex = (Array.isArray(pos[0]) ? (pos[0] as unknown[]) : pos).map(String);
  const named = example?.[namedKey];
  if (Array.isArray(named)) {
    for (const n of named as Array<{ param_name?: string; example?: string }>) if (n?.param_name) byName.set(n.param_name, String(n.example ?? ''));
  }
  return { byIndex, byName };
}

/** Every placeholder of a template, in the order `parameters[]` fills them. */
export function placeholdersOf(components: TemplateComponent[]): Placeholder[] {
  const out: Placeholder[] = [];
  const header = comp(components, 'HEADER');
  if (header && String(header.format ?? 'TEXT').toUpperCase() === 'TEXT') {
    const ex = exampleList(header.example, 'header_text', 'header_text_named_params');
    varsOf(header.text).forEach((v, i) => {
      const named = !/^\d+$/.test(v);
      out.push({ component: 'header', index: i + 1, ...(named ? { name: v } : {}), example: named ? ex.byName.get(v) : ex.byIndex[Number(v) - 1] ?? ex.byIndex[i] });
    });
  }
  const body = comp(components, 'BODY');
  if (body) {
    const ex = exampleList(body.example, 'body_text', 'body_text_named_params');
    varsOf(body.text).forEach((v, i) => {
      const named = !/^\d+$/.test(v);
      out.push({ component: 'body', index: i + 1, ...(named ? { name: v } : {}), example: named ? ex.byName.get(v) : ex.byIndex[Number(v) - 1] ?? ex.byIndex[i] });
    });
  }
  const buttons = comp(components, 'BUTTONS')?.buttons ?? [];
  buttons.forEach((b, bi) => {
    if (String(b.type).toUpperCase() !== 'URL') return;
    const vars = varsOf(b.url);
    if (!vars.length) return;
    const ex = Array.isArray(b.example) ? String(b.example[0] ?? '') : undefined;
    out.push({ component: 'button', index: 1, buttonIndex: bi, example: ex });
  });
  return out;
}

/** Header media format (IMAGE, VIDEO, DOCUMENT, LOCATION) or null for text/no header. */
export function headerMediaFormat(components: TemplateComponent[]): string | null {
  const header = comp(components, 'HEADER');
  const f = header ? String(header.format ?? 'TEXT').toUpperCase() : 'TEXT';
  return f === 'TEXT' ? null : f;
}

/**
 * Checks placeholder values before anything is sent: exactly one per placeholder, non-empty, no
 * newline or tab, no more than 4 consecutive spaces (Meta rejects them). Throws TEMPLATE_PARAMS
 * with `details` keyed `parameters.N`.
 */
export function checkTemplateParameters(t: TemplateDefinition, parameters: string[]): Placeholder[] {
  const ph = placeholdersOf(t.components);
  const details: Record<string, string> = {};
  if (parameters.length !== ph.length) {
    details.parameters = `template ${t.name} (${t.language}) needs ${ph.length} parameter${ph.length === 1 ? '' : 's'}, got ${parameters.length}`;
  }
  parameters.forEach((p, i) => {
    if (typeof p !== 'string' || p.trim() === '') details[`parameters.${i}`] = 'must not be empty';
    else if (/[\n\r]/.test(p)) details[`parameters.${i}`] = 'must not contain line breaks';
    else if (/\t/.test(p)) details[`parameters.${i}`] = 'must not contain tabs';
    else if (/ {5,}/.test(p)) details[`parameters.${i}`] = 'must not contain more than 4 consecutive spaces';
    else if (ph[i]?.component === 'header' && [...p].length > 60) details[`parameters.${i}`] = 'a header value must be at most 60 characters';
  });
  const keys = Object.keys(details);
  if (keys.length) {
    const first = details[keys[0]!]!;
    throw new AppError(422, 'TEMPLATE_PARAMS', `Template parameters are not valid: ${keys[0] === 'parameters' ? first : `${keys[0]} ${first}`}`, details);
  }
  return ph;
}

/** The template body with its placeholders filled (what the rep and the timeline see). */
export function renderTemplateText(t: TemplateDefinition, parameters: string[]): string {
  const ph = placeholdersOf(t.components);
  const fill = (component: 'header' | 'body', text: string | undefined) => {
    if (!text) return '';
    const mine = ph.map((p, i) => ({ p, v: parameters[i] ?? '' })).filter((x) => x.p.component === component);
    const order = varsOf(text);
    return text.replace(VAR, (_m, v: string) => mine[order.indexOf(v)]?.v ?? `{{${v}}}`);
  };
  const header = comp(t.components, 'HEADER');
  const body = comp(t.components, 'BODY');
  const headerText = header && String(header.format ?? 'TEXT').toUpperCase() === 'TEXT' ? fill('header', header.text) : '';
  const footer = comp(t.components, 'FOOTER')?.text ?? '';
  return [headerText, fill('body', body?.text), footer].filter(Boolean).join('\n');
}

export interface HeaderMedia {
  type: 'image' | 'document' | 'video';
  link?: string;
  mediaId?: string;
}

/** Graph `template.components` built from the stored definition (never guessed from the values). */
export function buildTemplateComponents(
  t: TemplateDefinition,
  parameters: string[],
  opts: { headerMedia?: HeaderMedia; buttonPayloads?: string[] } = {},
): Array<Record<string, unknown>> {
  const ph = placeholdersOf(t.components);
  const named = String(t.parameter_format).toUpperCase() === 'NAMED';
  const out: Array<Record<string, unknown>> = [];
  const textParam = (p: Placeholder, v: string) => ({ type: 'text', text: v, ...(named && p.name ? { parameter_name: p.name } : {}) });

  const mediaFormat = headerMediaFormat(t.components);
  if (mediaFormat && mediaFormat !== 'LOCATION') {
    const hm = opts.headerMedia;
    if (!hm || (!hm.link && !hm.mediaId)) {
      throw new AppError(422, 'TEMPLATE_PARAMS', `Template ${t.name} has a ${mediaFormat.toLowerCase()} header: attach the header media`, { headerMedia: 'required' });
    }
    const type = mediaFormat.toLowerCase();
    if (hm.type !== type) throw new AppError(422, 'TEMPLATE_PARAMS', `Template ${t.name} needs a ${type} header, not ${hm.type}`, { headerMedia: `must be ${type}` });
    out.push({ type: 'header', parameters: [{ type, [type]: hm.mediaId ? { id: hm.mediaId } : { link: hm.link } }] });
  }
  const headerParams = ph.map((p, i) => ({ p, v: parameters[i]! })).filter((x) => x.p.component === 'header');
  if (headerParams.length) out.push({ type: 'header', parameters: headerParams.map((x) => textParam(x.p, x.v)) });
  const bodyParams = ph.map((p, i) => ({ p, v: parameters[i]! })).filter((x) => x.p.component === 'body');
  if (bodyParams.length) out.push({ type: 'body', parameters: bodyParams.map((x) => textParam(x.p, x.v)) });

  const buttons = comp(t.components, 'BUTTONS')?.buttons ?? [];
  ph.forEach((p, i) => {
    if (p.component !== 'button') return;
    out.push({ type: 'button', sub_type: 'url', index: String(p.buttonIndex), parameters: [{ type: 'text', text: encodeURIComponent(parameters[i]!) }] });
  });
  const payloads = opts.buttonPayloads ?? [];
  let qr = 0;
  buttons.forEach((b, bi) => {
    if (String(b.type).toUpperCase() !== 'QUICK_REPLY') return;
    const payload = payloads[qr++];
    if (payload !== undefined && payload !== '') {
      out.push({ type: 'button', sub_type: 'quick_reply', index: String(bi), parameters: [{ type: 'payload', payload }] });
    }
  });
  return out;
}

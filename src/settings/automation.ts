import { z } from 'zod';

/**
 * Settings of the automatic messages (F7: `reminder`, `outOfHoursNotice`) and of the bot flow that
 * runs between consent and routing (F10: `botFlow`). Additions to the settings document; a PUT
 * that leaves them out keeps what is stored.
 */

export interface TemplateChoice {
  enabled: boolean;
  templateName: string | null;
  language: string | null;
}

export interface ReminderSettings extends TemplateChoice {
  /** Minutes the conversation waited on the customer after the agent's last message. */
  afterMinutes: number;
}

export type Localized = { es: string; en: string };

/** Where a menu option sends the conversation: the usual routing pool, some agents, or a number's team. */
export type BotRoute = { to: 'pool' } | { to: 'agents'; agentIds: string[] } | { to: 'number'; phoneNumberId: string };

export const COLLECT_FIELDS = ['email', 'company', 'order_number', 'phone', 'text'] as const;
export type CollectField = (typeof COLLECT_FIELDS)[number];

export type BotStep =
  | { id: string; type: 'greeting'; text: Localized }
  | { id: string; type: 'menu'; text: Localized; options: Array<{ id: string; title: Localized; route: BotRoute }> }
  /**
   * `property`: a standard contact property (COLLECT_PROPERTIES) or a custom one, which the app
   * creates as a text property labelled `propertyLabel` in its own group when HubSpot lacks it.
   */
  | { id: string; type: 'collect'; text: Localized; field: CollectField; property: string; propertyLabel?: string };

export interface BotFlowSettings {
  enabled: boolean;
  /** The included template it started from (informative). */
  template: string | null;
  /** Times an unexpected answer is asked again before the conversation is routed anyway. */
  maxRetries: number;
  steps: BotStep[];
}

export interface AutomationSettings {
  reminder: ReminderSettings;
  outOfHoursNotice: TemplateChoice;
  botFlow: BotFlowSettings;
}

export function defaultAutomation(): AutomationSettings {
  return {
    reminder: { enabled: false, afterMinutes: 24 * 60, templateName: null, language: null },
    outOfHoursNotice: { enabled: false, templateName: null, language: null },
    botFlow: { enabled: false, template: null, maxRetries: 2, steps: [] },
  };
}

export function automationWithDefaults(s: Partial<AutomationSettings> | undefined): AutomationSettings {
  const d = defaultAutomation();
  return {
    reminder: { ...d.reminder, ...(s?.reminder ?? {}) },
    outOfHoursNotice: { ...d.outOfHoursNotice, ...(s?.outOfHoursNotice ?? {}) },
    botFlow: { ...d.botFlow, ...(s?.botFlow ?? {}) },
  };
}

const localized = z.object({ es: z.string(), en: z.string() });
const templateChoice = {
  enabled: z.boolean(),
  templateName: z.string().nullable().optional().default(null),
  language: z.string().nullable().optional().default(null),
};
const route = z.discriminatedUnion('to', [
  z.object({ to: z.literal('pool') }),
  z.object({ to: z.literal('agents'), agentIds: z.array(z.string()).min(1, 'Pick at least one agent').max(50) }),
  z.object({ to: z.literal('number'), phoneNumberId: z.string() }),
]);
const step = z.discriminatedUnion('type', [
  z.object({ id: z.string().default(''), type: z.literal('greeting'), text: localized }),
  z.object({
    id: z.string().default(''),
    type: z.literal('menu'),
    text: localized,
    options: z.array(z.object({ id: z.string().default(''), title: localized, route })).min(1, 'Add at least one option').max(10, 'At most 10 options'),
  }),
  z.object({ id: z.string().default(''), type: z.literal('collect'), text: localized, field: z.enum(COLLECT_FIELDS), property: z.string(), propertyLabel: z.string().optional() }),
]);

/** The PUT body's automation fields (each optional: absent = kept). */
export const automationInput = {
  reminder: z.object({ ...templateChoice, afterMinutes: z.number() }).optional(),
  outOfHoursNotice: z.object(templateChoice).optional(),
  botFlow: z.object({ enabled: z.boolean(), template: z.string().nullable().optional(), maxRetries: z.number().optional(), steps: z.array(step).max(10, 'At most 10 steps') }).optional(),
};
type Input = { reminder?: z.infer<typeof automationInput.reminder>; outOfHoursNotice?: z.infer<typeof automationInput.outOfHoursNotice>; botFlow?: z.infer<typeof automationInput.botFlow> };

const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;
const LANGUAGE = /^[a-z]{2,3}(_[A-Z]{2})?$/;
/** Standard contact properties a collect step may fill (HubSpot always has them). */
export const COLLECT_PROPERTIES = ['email', 'phone', 'mobilephone', 'firstname', 'lastname', 'company', 'jobtitle', 'website', 'city', 'country'];
/** Any other name is a custom property: HubSpot's name rule, minus HubSpot's and the app's namespaces and non-text standard ones. */
const CUSTOM_PROPERTY = /^[a-z][a-z0-9_]{0,99}$/;
const NOT_FOR_ANSWERS = /^(hs_|wa_)|^(hubspot_owner_id|lifecyclestage|createdate|lastmodifieddate|associatedcompanyid)$/;

export const isCustomProperty = (name: string) => !COLLECT_PROPERTIES.includes(name);

/** "order_number" → "Order number": a custom property's label when the admin gave none. */
export function propertyLabelOf(name: string): string {
  const words = name.replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function checkProperty(st: { property: string; propertyLabel?: string }, p: string, e: Record<string, string>): void {
  if (!isCustomProperty(st.property)) return;
  if (!CUSTOM_PROPERTY.test(st.property)) e[`${p}.property`] = `A standard property (${COLLECT_PROPERTIES.join(', ')}) or a custom one: lowercase letters, digits and underscores, starting with a letter`;
  else if (NOT_FOR_ANSWERS.test(st.property)) e[`${p}.property`] = 'That property is HubSpot’s or the app’s own; pick another name';
  // An empty label means the default one (from the name).
  if (st.propertyLabel !== undefined && [...st.propertyLabel.trim()].length > 100) e[`${p}.propertyLabel`] = 'At most 100 characters';
}

function checkChoice(c: { enabled: boolean; templateName: string | null; language: string | null }, path: string, e: Record<string, string>): void {
  if (c.templateName && !TEMPLATE_NAME.test(c.templateName)) e[`${path}.templateName`] = 'A template name (lowercase letters, digits, underscores)';
  if (c.language && !LANGUAGE.test(c.language)) e[`${path}.language`] = 'A language code such as es or en_US';
  if (c.enabled && !c.templateName) e[`${path}.templateName`] = 'Choose an approved template to send';
  if (c.enabled && !c.language) e[`${path}.language`] = 'Choose the template language';
}

function checkText(t: Localized, path: string, e: Record<string, string>, max = 1024): void {
  for (const lang of ['es', 'en'] as const) {
    if (!t[lang].trim()) e[`${path}.${lang}`] = 'Required';
    else if ([...t[lang]].length > max) e[`${path}.${lang}`] = `At most ${max} characters`;
  }
}

/** Meaning checks of the automation fields; problems keyed by dotted path like the rest of settings. */
export function validateAutomation(s: Input, knownNumbers: Set<string>, e: Record<string, string>): void {
  if (s.reminder) {
    checkChoice(s.reminder, 'reminder', e);
    const m = s.reminder.afterMinutes;
    if (!Number.isInteger(m) || m < 1 || m > 30 * 24 * 60) e['reminder.afterMinutes'] = 'Whole minutes, at least 1 (1440 = 24 hours)';
  }
  if (s.outOfHoursNotice) checkChoice(s.outOfHoursNotice, 'outOfHoursNotice', e);
  const f = s.botFlow;
  if (!f) return;
  if (f.maxRetries !== undefined && (!Number.isInteger(f.maxRetries) || f.maxRetries < 0 || f.maxRetries > 5)) e['botFlow.maxRetries'] = 'Between 0 and 5';
  if (f.enabled && !f.steps.length) e['botFlow.steps'] = 'Add at least one step, or turn the bot flow off';
  f.steps.forEach((st, i) => {
    const p = `botFlow.steps.${i}`;
    checkText(st.text, `${p}.text`, e);
    if (st.type === 'collect') checkProperty(st, p, e);
    if (st.type !== 'menu') return;
    const titles = new Set<string>();
    st.options.forEach((o, j) => {
      const q = `${p}.options.${j}`;
      checkText(o.title, `${q}.title`, e, 20);
      const k = o.title.es.trim().toLowerCase();
      if (k && titles.has(k)) e[`${q}.title.es`] = 'Listed twice';
      titles.add(k);
      if (o.route.to === 'number' && !knownNumbers.has(o.route.phoneNumberId)) e[`${q}.route.phoneNumberId`] = 'Not a WhatsApp number of this account';
    });
  });
}

/** The stored automation fields from a validated PUT body (absent ones kept; ids filled in). */
export function applyAutomation(current: AutomationSettings, s: Input): AutomationSettings {
  const f = s.botFlow;
  return {
    reminder: s.reminder ? { ...s.reminder } : current.reminder,
    outOfHoursNotice: s.outOfHoursNotice ? { ...s.outOfHoursNotice } : current.outOfHoursNotice,
    botFlow: f
      ? {
          enabled: f.enabled,
          template: f.template ?? null,
          maxRetries: f.maxRetries ?? current.botFlow.maxRetries,
          steps: f.steps.map((st, i) => {
            const id = st.id || `step_${i + 1}`;
            if (st.type === 'collect') {
              const label = isCustomProperty(st.property) ? (st.propertyLabel?.trim() || propertyLabelOf(st.property)) : undefined;
              const { propertyLabel: _, ...rest } = st;
              return label ? { ...rest, id, propertyLabel: label } : { ...rest, id };
            }
            if (st.type !== 'menu') return { ...st, id };
            return { ...st, id, options: st.options.map((o, j) => ({ ...o, id: o.id || `${id}_opt_${j + 1}` })) };
          }) as BotStep[],
        }
      : current.botFlow,
  };
}

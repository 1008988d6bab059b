// The unit tier: the product's pure rules, no database, no HTTP — milliseconds. `npm run test:unit`
// runs this folder alone; the full suite runs it too. Each case is a rule a rep or customer notices.
import { classifyButton, classifyTypedAnswer, CONSENT_BUTTON, matchesKeyword } from '../../src/consent/answers.js';
import { customerLanguage } from '../../src/consent/language.js';
import { canReply, isUrgent, windowClosedError, windowEndAfter } from '../../src/conversations/window.js';
import { methodFor } from '../../src/routing/router.js';
import { isAvailable, canHoldConversations, type AgentRow } from '../../src/settings/agents.js';
import { describeMoment, endOfBusinessDay, isOpenAt, nextOpening } from '../../src/settings/business-hours.js';
import { defaultSettings } from '../../src/settings/defaults.js';
import { stepMessage, understand } from '../../src/botflow/engine.js';
import { applyAutomation, defaultAutomation, validateAutomation, type BotStep } from '../../src/settings/automation.js';
import { OutboundContentSchema } from '../../src/whatsapp/types.js';

const settings = defaultSettings('es'); // Bogotá (UTC-5), Mon–Fri 08:00–18:00
const hours = settings.businessHours;
const bogota = (iso: string) => new Date(`${iso}-05:00`);

describe('business hours (F11)', () => {
  test('open inside the weekday range, closed at its end, on weekends and holidays', () => {
    expect(isOpenAt(bogota('2026-04-06T08:00:00'), hours)).toBe(true); // Monday
    expect(isOpenAt(bogota('2026-04-06T17:59:59'), hours)).toBe(true);
    expect(isOpenAt(bogota('2026-04-06T18:00:00'), hours)).toBe(false);
    expect(isOpenAt(bogota('2026-04-04T10:00:00'), hours)).toBe(false); // Saturday
    expect(isOpenAt(bogota('2026-04-06T10:00:00'), { ...hours, holidays: ['2026-04-06'] })).toBe(false);
  });

  test('the next opening after a Friday evening is Monday 08:00 local time; inside hours it is now', () => {
    expect(nextOpening(bogota('2026-04-03T19:00:00'), hours)?.toISOString()).toBe('2026-04-06T13:00:00.000Z');
    const now = bogota('2026-04-06T09:30:00');
    expect(nextOpening(now, hours)?.getTime()).toBe(now.getTime());
    expect(nextOpening(now, { ...hours, weekly: {} as typeof hours.weekly })).toBeNull();
  });

  test('the business day ends at the last range, or at autoClose.at; a closed day has no end', () => {
    expect(endOfBusinessDay('2026-04-06', settings)?.toISOString()).toBe('2026-04-06T23:00:00.000Z');
    expect(endOfBusinessDay('2026-04-06', { ...settings, autoClose: { enabled: true, at: '17:30' } })?.toISOString()).toBe('2026-04-06T22:30:00.000Z');
    expect(endOfBusinessDay('2026-04-04', settings)).toBeNull();
  });

  test('moments are told in the customer’s words: today, tomorrow, or the date', () => {
    const fri = bogota('2026-04-03T19:00:00');
    expect(describeMoment(bogota('2026-04-04T08:00:00'), hours, 'es', fri)).toBe('mañana a las 08:00');
    expect(describeMoment(bogota('2026-04-03T20:00:00'), hours, 'en', fri)).toBe('today at 20:00');
    expect(describeMoment(bogota('2026-04-06T08:00:00'), hours, 'es', fri)).toBe('el lunes 6 de abril a las 08:00');
    expect(describeMoment(bogota('2026-04-06T08:00:00'), hours, 'en', fri)).toBe('on Monday, April 6 at 08:00');
  });
});

describe('consent answers (F8)', () => {
  test('whole typed answers count whatever the accents, case and punctuation; half answers do not', () => {
    expect(classifyTypedAnswer('Sí, acepto!')).toBe('accept');
    expect(classifyTypedAnswer('  I AGREE ')).toBe('accept');
    expect(classifyTypedAnswer('No, gracias.')).toBe('decline');
    expect(classifyTypedAnswer('si pero antes una pregunta')).toBeNull();
    expect(classifyTypedAnswer('no sé')).toBeNull();
    expect(classifyTypedAnswer('👍')).toBeNull();
    expect(classifyTypedAnswer(null)).toBeNull();
  });

  test('our buttons and template quick-reply payloads', () => {
    expect(classifyButton(CONSENT_BUTTON.accept)).toBe('accept');
    expect(classifyButton(`${CONSENT_BUTTON.decline}:v2`)).toBe('decline');
    expect(classifyButton('menu:sales')).toBeNull();
  });

  test('opt-out keywords match the whole message only', () => {
    expect(matchesKeyword('baja.', settings.optOutKeywords)).toBe(true);
    expect(matchesKeyword('Darme de baja', settings.optOutKeywords)).toBe(true);
    expect(matchesKeyword('no me den de baja', settings.optOutKeywords)).toBe(false);
  });
});

describe('the bot’s language', () => {
  test('the customer’s country first, the portal’s language otherwise', () => {
    expect(customerLanguage('+14155550100', 'es')).toBe('en');
    expect(customerLanguage('+573001234567', 'en')).toBe('es');
    expect(customerLanguage('+4915112345678', 'es')).toBe('es'); // no German text: the portal's
    expect(customerLanguage(null, 'en')).toBe('en');
  });
});

describe('the 24-hour window (F4)', () => {
  const wrote = new Date('2026-04-06T10:00:00Z');
  const end = windowEndAfter(wrote);

  test('a reply is allowed until 24 h after the customer wrote, not at that instant', () => {
    expect(end.toISOString()).toBe('2026-04-07T10:00:00.000Z');
    expect(canReply(end, new Date(end.getTime() - 1))).toBe(true);
    expect(canReply(end, end)).toBe(false);
    expect(canReply(null, wrote)).toBe(false);
  });

  test('urgent inside the alert horizon only', () => {
    expect(isUrgent(end, new Date(end.getTime() - 119 * 60_000), 120)).toBe(true);
    expect(isUrgent(end, new Date(end.getTime() - 121 * 60_000), 120)).toBe(false);
    expect(isUrgent(end, end, 120)).toBe(false); // closed is not urgent, it is closed
  });

  test('the closed-window answer says when it closed in the portal’s time zone', () => {
    const e = windowClosedError(end, new Date('2026-04-07T12:00:00Z'), 'America/Bogota');
    expect(e.status).toBe(409);
    expect(e.code).toBe('WINDOW_CLOSED');
    expect(e.message).toContain('05:00');
    expect(windowClosedError(null, wrote, 'UTC').message).toContain('Send a template');
  });
});

describe('who can take a conversation (F12)', () => {
  const agent = (o: Partial<AgentRow>): AgentRow => ({
    id: 1, portal_id: 1, owner_id: '1', user_id: 1, email: null, name: 'Ana', active: true, available: true,
    out_of_office: [], number_ids: [], last_assigned_at: null, assigned_count: 0, ...o,
  });
  const monday = bogota('2026-04-06T10:00:00');

  test('available: active, not away, not out of office today (business date)', () => {
    expect(isAvailable(agent({}), monday, hours.timeZone)).toBe(true);
    expect(isAvailable(agent({ available: false }), monday, hours.timeZone)).toBe(false);
    expect(isAvailable(agent({ out_of_office: [{ from: '2026-04-06', to: '2026-04-10' }] }), monday, hours.timeZone)).toBe(false);
    // 23:30 in Bogotá is already the next day in UTC: the business date decides
    expect(isAvailable(agent({ out_of_office: [{ from: '2026-04-07', to: '2026-04-07' }] }), bogota('2026-04-06T23:30:00'), hours.timeZone)).toBe(true);
  });

  test('an agent marked away keeps their conversations; a deactivated one hands them over', () => {
    expect(canHoldConversations(agent({ available: false }), monday, hours.timeZone)).toBe(true);
    expect(canHoldConversations(agent({ active: false }), monday, hours.timeZone)).toBe(false);
  });

  test('a number’s own routing method wins over the portal’s', () => {
    const s = { ...settings, routing: { ...settings.routing, method: 'round_robin' as const, perNumber: { PN2: 'least_open' as const } } };
    expect(methodFor(s, 'PN1')).toBe('round_robin');
    expect(methodFor(s, 'PN2')).toBe('least_open');
  });
});

describe('bot flow menus and collect steps (F10)', () => {
  const menu = (n: number): Extract<BotStep, { type: 'menu' }> => ({
    id: 'menu',
    type: 'menu',
    text: { es: '¿Con quién quieres hablar?', en: 'Who do you want to talk to?' },
    options: Array.from({ length: n }, (_, i) => ({ id: `o${i + 1}`, title: { es: `Equipo ${i + 1}`, en: `Team ${i + 1}` }, route: { to: 'pool' as const } })),
  });

  test('three options or fewer are reply buttons; four to ten an interactive list Meta accepts', () => {
    const three = stepMessage(menu(3), 'es');
    expect(three).toMatchObject({ kind: 'interactive_buttons', buttons: [{ id: 'bf:menu:o1', title: 'Equipo 1' }, {}, {}] });
    for (const n of [4, 10]) {
      const list = stepMessage(menu(n), 'en', ['Hi!']);
      expect(list).toMatchObject({ kind: 'interactive_list', body: 'Hi!\n\nWho do you want to talk to?', button: 'See the options' });
      if (list.kind !== 'interactive_list') throw new Error('not a list');
      expect(list.sections).toHaveLength(1);
      expect(list.sections[0]!.rows.map((r) => r.id)).toEqual(Array.from({ length: n }, (_, i) => `bf:menu:o${i + 1}`));
      expect(OutboundContentSchema.safeParse(list).success).toBe(true);
    }
  });

  test('the chosen row routes by its option; a typed number or title works too; anything else is asked again', () => {
    const step = menu(5);
    expect(understand(step, 'Equipo 4', 'bf:menu:o4')).toMatchObject({ kind: 'option', index: 3 });
    expect(understand(step, '2', null)).toMatchObject({ kind: 'option', index: 1 });
    expect(understand(step, 'equipo 5', null)).toMatchObject({ kind: 'option', index: 4 });
    expect(understand(step, 'pizza', null)).toEqual({ kind: 'invalid' });
    expect(understand(step, 'x', 'bf:other:o1')).toEqual({ kind: 'invalid' });
  });

  test('the app refuses a list Meta would refuse (11 rows, a 25-character row title, the same row twice)', () => {
    const list = (rows: Array<{ id: string; title: string }>) => ({ kind: 'interactive_list', body: 'Elige', button: 'Ver opciones', sections: [{ rows }] });
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, title: `Fila ${i}` }));
    expect(OutboundContentSchema.safeParse(list(rows(10))).success).toBe(true);
    expect(OutboundContentSchema.safeParse(list(rows(11))).success).toBe(false);
    expect(OutboundContentSchema.safeParse(list([{ id: 'a', title: 'x'.repeat(25) }])).success).toBe(false);
    expect(OutboundContentSchema.safeParse(list([{ id: 'a', title: 'Uno' }, { id: 'a', title: 'Dos' }])).success).toBe(false);
  });

  test('a collect step fills a standard property or a custom one (labelled); HubSpot’s and the app’s own are refused', () => {
    const flow = (property: string, propertyLabel?: string) => ({
      enabled: true,
      steps: [{ id: '', type: 'collect' as const, text: { es: '¿Tu pedido?', en: 'Your order?' }, field: 'order_number' as const, property, ...(propertyLabel === undefined ? {} : { propertyLabel }) }],
    });
    const problems = (property: string, label?: string) => {
      const e: Record<string, string> = {};
      validateAutomation({ botFlow: flow(property, label) }, new Set(), e);
      return e;
    };
    expect(problems('company')).toEqual({});
    expect(problems('numero_pedido')).toEqual({});
    expect(problems('numero_pedido', 'Número de pedido')).toEqual({});
    for (const bad of ['Numero', '1pedido', 'pedido-web', 'hs_lead_status', 'wa_consent_status', 'lifecyclestage', 'hubspot_owner_id']) {
      expect([bad, Object.keys(problems(bad))]).toEqual([bad, ['botFlow.steps.0.property']]);
    }
    expect(Object.keys(problems('numero_pedido', 'x'.repeat(101)))).toEqual(['botFlow.steps.0.propertyLabel']);
    // Stored with a label for a custom one (from its name when none is given), none for a standard one.
    const stored = (property: string, label?: string) => applyAutomation(defaultAutomation(), { botFlow: flow(property, label) }).botFlow.steps[0];
    expect(stored('numero_pedido')).toMatchObject({ property: 'numero_pedido', propertyLabel: 'Numero pedido' });
    expect(stored('numero_pedido', 'Número de pedido')).toMatchObject({ propertyLabel: 'Número de pedido' });
    expect(stored('numero_pedido', ' ')).toMatchObject({ propertyLabel: 'Numero pedido' });
    expect(stored('company', 'Empresa')).not.toHaveProperty('propertyLabel');
  });
});

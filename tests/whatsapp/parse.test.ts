import { parseWebhook } from '../../src/whatsapp/parse.js';
import { fixture, fixtureNames } from './helpers.js';

const EXPECTED: Record<string, { kind: string; type?: string; status?: string }> = {
  '01-text.json': { kind: 'message', type: 'text' },
  '02-text-ad-referral.json': { kind: 'message', type: 'text' },
  '03-image.json': { kind: 'message', type: 'image' },
  '04-document.json': { kind: 'message', type: 'document' },
  '05-audio.json': { kind: 'message', type: 'audio' },
  '06-sticker.json': { kind: 'message', type: 'sticker' },
  '07-location.json': { kind: 'message', type: 'location' },
  '08-contacts.json': { kind: 'message', type: 'contacts' },
  '09-interactive-list-reply.json': { kind: 'message', type: 'interactive' },
  '10-interactive-button-reply.json': { kind: 'message', type: 'interactive' },
  '11-template-button-reply.json': { kind: 'message', type: 'button' },
  '12-reaction.json': { kind: 'message', type: 'reaction' },
  '13-unsupported.json': { kind: 'message', type: 'unsupported' },
  '14-value-errors.json': { kind: 'value_errors' },
  '15-status-sent.json': { kind: 'status', status: 'sent' },
  '16-status-sent-2.json': { kind: 'status', status: 'sent' },
  '17-status-failed.json': { kind: 'status', status: 'failed' },
  '18-template-approved.json': { kind: 'template_status' },
  '19-template-rejected.json': { kind: 'template_status' },
  '20-quality-update.json': { kind: 'phone_quality' },
};

describe('webhook parsing (zod)', () => {
  it('covers every fixture file', () => {
    expect(fixtureNames()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s parses into the right item', (name, want) => {
    const { items, problems } = parseWebhook(fixture(name));
    expect(problems).toEqual([]);
    expect(items).toHaveLength(1);
    const item = items[0]!;
    expect(item.kind).toBe(want.kind);
    if (item.kind === 'message') {
      expect(item.message.type).toBe(want.type);
      expect(item.phoneNumberId).toBe('106540352242922');
      expect(item.contact?.wa_id).toBe('16505551234');
    }
    if (item.kind === 'status') expect(item.status.status).toBe(want.status);
  });

  it('reads the details that matter', () => {
    const list = parseWebhook(fixture('09-interactive-list-reply.json')).items[0] as any;
    expect(list.message.interactive).toEqual({ type: 'list_reply', list_reply: { id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day to 2 Days' } });
    const loc = parseWebhook(fixture('07-location.json')).items[0] as any;
    expect(loc.message.location.latitude).toBeCloseTo(37.44221496582);
    const failed = parseWebhook(fixture('17-status-failed.json')).items[0] as any;
    expect(failed.status.errors[0]).toMatchObject({ code: 131049, title: expect.stringContaining('healthy ecosystem') });
    const tpl = parseWebhook(fixture('18-template-approved.json')).items[0] as any;
    expect(tpl.value.message_template_id).toBe('1689556908129832');
    const audio = parseWebhook(fixture('05-audio.json')).items[0] as any;
    expect(audio.message.timestamp).toBe(1744344496);
    expect(audio.message.audio.voice).toBe(true);
    const reaction = parseWebhook(fixture('12-reaction.json')).items[0] as any;
    expect(reaction.message.reaction.emoji).toBe('👍');
  });

  it('accepts a customer known only by business-scoped user id (no from, no wa_id)', () => {
    const p = fixture('01-text.json');
    const v = p.entry[0].changes[0].value;
    v.contacts = [{ profile: { name: 'Ana', username: 'ana.co' }, user_id: 'CO.1502576394655843' }];
    delete v.messages[0].from;
    v.messages[0].from_user_id = 'CO.1502576394655843';
    const { items, problems } = parseWebhook(p);
    expect(problems).toEqual([]);
    const m = items[0] as any;
    expect(m.message.from).toBeUndefined();
    expect(m.contact.user_id).toBe('CO.1502576394655843');
  });

  it('keeps unknown message types and malformed items as unsupported, never crashing', () => {
    const p = fixture('01-text.json');
    const v = p.entry[0].changes[0].value;
    v.messages.push({ from: '16505551234', id: 'wamid.ORDER', timestamp: '1749416390', type: 'order', order: { catalog_id: '1' } });
    v.messages.push({ from: '16505551234', id: 'wamid.BADTEXT', timestamp: '1749416391', type: 'text', text: { nobody: true } });
    v.messages.push({ type: 'text' }); // no id: reported, skipped
    const { items, problems } = parseWebhook(p);
    expect(items.map((i: any) => i.message.type)).toEqual(['text', 'unsupported', 'unsupported']);
    expect((items[1] as any).message.unsupported).toEqual({ type: 'order' });
    expect((items[2] as any).message.unsupported).toEqual({ type: 'text' });
    expect(problems).toHaveLength(2);
  });

  it('iterates every entry, change, message and status of a batch, and ignores unknown fields', () => {
    const a = fixture('01-text.json');
    const b = fixture('15-status-sent.json');
    const c = fixture('17-status-failed.json');
    a.entry[0].changes.push(b.entry[0].changes[0]);
    a.entry.push(c.entry[0]);
    a.entry.push({ id: '1', changes: [{ field: 'security', value: { x: 1 } }] });
    const { items } = parseWebhook(a);
    expect(items.map((i) => i.kind)).toEqual(['message', 'status', 'status', 'ignored']);
  });
});

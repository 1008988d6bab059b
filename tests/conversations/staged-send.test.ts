// The inbound turn's automatic messages are stored in the turn's transaction and handed to Meta as
// soon as it commits, with no send job in between (src/conversations/outbound.ts). Real WhatsApp
// module against the Meta simulator; HubSpot seams faked.
import { ManualClock } from '../../src/clock.js';
import { SEND_QUEUE } from '../../src/conversations/outbound.js';
import { SEND_RESUME_AFTER_MS } from '../../src/whatsapp/recovery.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { jobCount, PHONE_NUMBER_ID, seedNumber, waitFor } from '../whatsapp/helpers.js';
import { startSim, type Sim } from '../whatsapp/sim.js';
import { FakeSeams } from './helpers.js';

const clock = new ManualClock(new Date('2026-03-30T15:00:00.000Z')); // Monday 10:00 in Bogotá: open hours
let rt: TestRuntime;
let s: Sim;

const conversationOf = async (wa: string) =>
  (await rt.db.query(`SELECT v.* FROM conversations v JOIN contacts c ON c.id = v.contact_id WHERE c.wa_id = $1`, [wa])).rows[0];
const botMessages = async (wa: string) =>
  (await rt.db.query(`SELECT m.* FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE c.wa_id = $1 AND m.direction = 'out' ORDER BY m.id`, [wa])).rows;

beforeAll(async () => {
  s = await startSim();
  const fakes = new FakeSeams(undefined as never, clock); // directory, tasks and consent mirror only: no database use
  rt = await startTestRuntime({
    clock,
    domains: { hubspot: false, campaigns: false, templates: false, reminders: false, conversations: { seams: { directory: fakes, tasks: fakes, consent: fakes } } },
    env: { WHATSAPP_API_BASE_URL: s.url },
  });
  s.sim.setWebhookUrl(`${(await rt.listen(0, '127.0.0.1')).url}/webhooks/whatsapp`);
  await seedNumber(rt.db, rt.ctx.secrets);
});
afterAll(async () => {
  await rt?.close();
  await s?.close();
});

describe('automatic messages of an inbound turn', () => {
  it('the consent prompt reaches the customer with no send job, and the conversation remembers it', async () => {
    const wa = '573001110001';
    await s.sim.customer.sendText({ from: wa, to: PHONE_NUMBER_ID, text: 'Hola' });
    const prompt = await waitFor(() => s.sim.customer.inbox(wa).find((m) => m.type === 'interactive'));
    await rt.idle();
    const [stored] = await botMessages(wa);
    expect(stored).toMatchObject({ sender: 'bot', wamid: prompt.wamid, dispatch_pending: false });
    expect(Number((await conversationOf(wa)).bot_prompt_message_id)).toBe(Number(stored.id));
    expect(await jobCount(rt.db, SEND_QUEUE)).toBe(0);
    expect(s.sim.customer.inbox(wa)).toHaveLength(1);
  });

  it('a process that dies after the turn commits, before calling Meta: the reconciler sends the prompt once', async () => {
    const wa = '573001110002';
    // This process "dies" between the commit and the call: the work handed off after the turn never runs.
    const detach = rt.ctx.jobs.detach.bind(rt.ctx.jobs);
    rt.ctx.jobs.detach = () => undefined;
    try {
      await s.sim.customer.sendText({ from: wa, to: PHONE_NUMBER_ID, text: 'Hola' });
      await waitFor(async () => (await botMessages(wa)).length === 1);
      await rt.idle();
    } finally {
      rt.ctx.jobs.detach = detach;
    }
    expect(s.sim.customer.inbox(wa)).toHaveLength(0);
    const [stored] = await botMessages(wa);
    expect(stored).toMatchObject({ status: 'accepted', wamid: null, dispatch_pending: true });

    clock.advance(SEND_RESUME_AFTER_MS + 1000);
    const prompt = await waitFor(() => s.sim.customer.inbox(wa).find((m) => m.type === 'interactive'), 'the resumed prompt at Meta', 20_000);
    await waitFor(async () => (await botMessages(wa))[0].wamid === prompt.wamid);
    await rt.idle();
    expect(s.sim.customer.inbox(wa)).toHaveLength(1);
    expect(Number((await conversationOf(wa)).bot_prompt_message_id)).toBe(Number(stored.id));
  });
});

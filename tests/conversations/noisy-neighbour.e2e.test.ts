/**
 * Issue 17 item 7, end to end: one portal's burst of new customers cannot hold another portal's
 * first bot reply behind it. Portal A gets BURST new customers at once; then one customer writes to
 * portal B's number. B's consent prompt must leave while most of A's customers still wait for theirs
 * (a first-in-first-out pipeline answers B after all of A's: webhook job, bot, send job).
 */
import { waitFor } from '../hubspot/helpers.js';
import { PNID, startStack, type Stack } from '../helpers/full-stack.js';

const BURST = 240;
const PNID_B = '106540352249999';
const WABA_B = '102290129349999';
const TOKEN_B = 'EAAtesttoken-portal-b-0123456789-xyz';

let s: Stack;

beforeAll(async () => {
  // A burst is work beyond a portal's fair share (JOBS_FAIR_SHARE, 100 jobs per queue in 10 s in
  // production); a share of 10 makes 240 customers a burst without a 10,000-message test.
  s = await startStack({ env: { JOBS_FAIR_SHARE: '10' } });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

describe('noisy neighbours', () => {
  it("a quiet portal's new customer gets the bot's reply while a bursting portal's backlog is still being answered", async () => {
    s.meta.addNumber({ phoneNumberId: PNID_B, wabaId: WABA_B, displayPhoneNumber: '15550789999', verifiedName: 'Beta Shop', accessToken: TOKEN_B });
    const b = await s.installPortal();
    await s.configure(b.portalId);
    const connected = await s.api('POST', '/api/v1/whatsapp-numbers', {
      portalId: b.portalId,
      body: { phoneNumberId: PNID_B, wabaId: WABA_B, accessToken: TOKEN_B, label: 'Beta' },
    });
    expect(connected.status).toBe(201);

    const burst = Array.from({ length: BURST }, (_, i) => `5730055${String(i).padStart(5, '0')}`);
    const prompted = (wa: string) => s.inbox(wa).some((m) => m.type === 'interactive');
    // Every POST of the burst acknowledged before portal B's customer writes.
    const acks = await Promise.all(burst.map((wa, i) => s.meta.customer.sendText({ from: wa, to: PNID, name: `Cliente ${i}`, text: 'Hola' })));
    expect(acks.every((a) => a.status === 200)).toBe(true);
    const waitingWhenBWrote = burst.filter((wa) => !prompted(wa)).length;
    expect(waitingWhenBWrote).toBeGreaterThan(BURST / 2); // the burst is still ahead of B

    const quiet = '573009990001';
    await s.meta.customer.sendText({ from: quiet, to: PNID_B, name: 'Bea', text: 'Hola, ¿tienen stock?' });
    await waitFor(() => prompted(quiet), "portal B's consent prompt", 60_000);
    const answeredBeforeB = burst.filter(prompted).length;
    // B did not wait for A's backlog: most of A's customers were still waiting (first in, first out,
    // B's prompt left after ~110 of A's; with the fair share, after ~20).
    expect(answeredBeforeB).toBeLessThan(BURST / 4);

    // And A's burst loses nothing: every customer gets the prompt, once.
    await waitFor(() => burst.every(prompted), "every one of portal A's customers prompted", 120_000);
    for (const wa of burst) expect(s.inbox(wa).filter((m) => m.type === 'interactive')).toHaveLength(1);
  }, 240_000);
});

// The demo's past (simulators/demo/history.ts) is played through the conversation code for the
// dashboard, and stays out of the live runtime's HubSpot timeline queue: the live drain would log it
// to the simulated HubSpot, find no `hist-N` contact there and re-link the contact while the history
// is still being played, so a later reply found no contact and the demo's start failed under load.
import { ManualClock } from '../../../src/clock.js';
import { DEMO_NUMBER, DEMO_PORTAL } from '../../../simulators/demo/fixtures.js';
import { seedHistory } from '../../../simulators/demo/history.js';
import { seedAgents, seedPortal, startHarness, type Harness } from '../../conversations/helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clock: new ManualClock('2026-03-30T15:00:00Z'), work: false });
  await seedPortal(h.db, { portalId: DEMO_PORTAL.portalId, numbers: [DEMO_NUMBER.phoneNumberId] });
  await h.db.query('UPDATE portals SET installed_by_user_id = $2 WHERE id = $1', [DEMO_PORTAL.portalId, DEMO_PORTAL.admin.userId]); // the history's transfers are the admin's
  await seedAgents(h.db, 3, { portalId: DEMO_PORTAL.portalId });
}, 120_000);
afterAll(() => h?.close());

test('the history is played once, answered by the agents, and nothing of it waits for the HubSpot timeline', async () => {
  const n = await seedHistory(h.rt.ctx, { now: new Date('2026-03-30T15:00:00Z') });
  expect(n).toBeGreaterThan(50);
  const r = await h.db.query<{ inbound: number; replies: number; queued: number; relinked: number }>(
    `SELECT count(*) FILTER (WHERE m.direction = 'in')::int AS inbound,
            count(*) FILTER (WHERE m.direction = 'out' AND m.sender = 'agent')::int AS replies,
            count(*) FILTER (WHERE m.hubspot_communication_id IS NULL)::int AS queued,
            count(*) FILTER (WHERE c.hubspot_contact_id NOT LIKE 'hist-%')::int AS relinked
       FROM messages m JOIN contacts c ON c.id = m.contact_id
      WHERE c.portal_id = $1 AND c.profile_name LIKE 'Historial %'`,
    [DEMO_PORTAL.portalId],
  );
  expect(r.rows[0]).toMatchObject({ inbound: n, queued: 0, relinked: 0 });
  expect(r.rows[0]!.replies).toBeGreaterThan(n / 2);
  // Every reply joined its conversation and counts as its first response on the dashboard.
  const rep = await h.db.query<{ answered: number; loose: number }>(
    `SELECT (SELECT count(*)::int FROM report_conversations WHERE portal_id = $1 AND first_response_at IS NOT NULL) AS answered,
            (SELECT count(*)::int FROM messages WHERE portal_id = $1 AND direction = 'out' AND conversation_id IS NULL) AS loose`,
    [DEMO_PORTAL.portalId],
  );
  expect(rep.rows[0]).toMatchObject({ loose: 0 });
  expect(rep.rows[0]!.answered).toBeGreaterThan(n / 2);
  expect(await seedHistory(h.rt.ctx)).toBe(0); // a second start keeps what is there
}, 120_000);

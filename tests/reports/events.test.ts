import { ManualClock } from '../../src/clock.js';
import { recordEvent } from '../../src/reports/index.js';
import { businessSecondsBetween } from '../../src/reports/index.js';
import { defaultSettings } from '../../src/settings/index.js';
import { PN, PORTAL, seedContact, seedPortal } from '../conversations/helpers.js';
import { startReportsHarness, type ReportsHarness } from './helpers.js';

const bog = (s: string) => new Date(`${s}-05:00`);

describe('reporting events', () => {
  let h: ReportsHarness;
  beforeAll(async () => {
    h = await startReportsHarness({ clock: new ManualClock(bog('2026-03-30T09:00:00')) });
    await seedPortal(h.db);
  });
  afterAll(async () => {
    await h.close();
  });

  it('are part of the caller transaction: a rolled-back change leaves no event and no rollup row', async () => {
    const contact = await seedContact(h.db, { consent: 'granted' });
    const conv = (
      await h.db.query<{ id: number; portal_id: number; contact_id: number; phone_number_id: string }>(
        `INSERT INTO conversations (portal_id, contact_id, phone_number_id, status, opened_at) VALUES ($1, $2, $3, 'open', now())
         RETURNING id, portal_id, contact_id, phone_number_id`,
        [PORTAL, contact.id, PN],
      )
    ).rows[0]!;
    await expect(
      h.db.tx(async (tx) => {
        await recordEvent(tx, { kind: 'opened', conv, at: bog('2026-03-30T09:00:00'), origin: 'customer' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const n = await h.db.query<{ e: string; r: string }>(
      'SELECT (SELECT count(*) FROM reporting_events WHERE conversation_id = $1) AS e, (SELECT count(*) FROM report_conversations WHERE conversation_id = $1) AS r',
      [conv.id],
    );
    expect([Number(n.rows[0]!.e), Number(n.rows[0]!.r)]).toEqual([0, 0]);
  });

  it('an opened event with nothing after it in its transaction is there once the transaction commits', async () => {
    const contact = await seedContact(h.db, { consent: 'granted' });
    const conv = await h.db.tx(async (tx) => {
      const c = (
        await tx.query<{ id: number; portal_id: number; contact_id: number; phone_number_id: string }>(
          `INSERT INTO conversations (portal_id, contact_id, phone_number_id, status, opened_at) VALUES ($1, $2, $3, 'open', now())
           RETURNING id, portal_id, contact_id, phone_number_id`,
          [PORTAL, contact.id, PN],
        )
      ).rows[0]!;
      await recordEvent(tx, { kind: 'opened', conv: c, at: bog('2026-03-30T09:00:00'), origin: 'customer' });
      return c;
    });
    const n = await h.db.query<{ kinds: string[]; r: string }>(
      `SELECT (SELECT array_agg(kind ORDER BY id) FROM reporting_events WHERE conversation_id = $1) AS kinds,
              (SELECT count(*) FROM report_conversations WHERE conversation_id = $1) AS r`,
      [conv.id],
    );
    expect([n.rows[0]!.kinds, Number(n.rows[0]!.r)]).toEqual([['opened'], 1]);
  });

  it('business hours: evenings, weekends and holidays do not count', () => {
    const hours = { ...defaultSettings().businessHours, holidays: ['2026-04-02'] };
    // Friday 17:30 → Monday 08:15: 30 min on Friday + 15 min on Monday.
    expect(businessSecondsBetween(bog('2026-03-27T17:30:00'), bog('2026-03-30T08:15:00'), hours)).toBe(45 * 60);
    // Wednesday 17:00 → Friday 09:00 with Thursday a holiday: 1 h + 1 h.
    expect(businessSecondsBetween(bog('2026-04-01T17:00:00'), bog('2026-04-03T09:00:00'), hours)).toBe(2 * 3600);
    expect(businessSecondsBetween(bog('2026-03-28T10:00:00'), bog('2026-03-28T12:00:00'), hours)).toBe(0);
  });
});

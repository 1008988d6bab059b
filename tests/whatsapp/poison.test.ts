// Issue 17 item 1, "one bad event costs only itself": good and poisoned webhook POSTs arrive
// together (group commit puts them in shared transactions and jobs); every good one is stored and
// announced once, the poison is cleaned (NUL, lone surrogates) or quarantined with its reason,
// listed, and replayable once the cause is fixed. And the sweeper finds events left pending.
import { ManualClock } from '../../src/clock.js';
import { drainKeyOf } from '../../src/whatsapp/drain.js';
import { WEBHOOK_QUEUE } from '../../src/whatsapp/ingest.js';
import { signMetaBody } from '../../src/whatsapp/signature.js';
import { storeWebhookEvents } from '../../src/whatsapp/webhook.js';
import { TEST_SECRETS } from '../helpers/config.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { fixture, metaJson, seedNumber, waitFor } from './helpers.js';

const DOMAINS = { hubspot: false, conversations: false, campaigns: false, templates: false, reminders: false } as const;
const clock = new ManualClock(new Date());
let rt: TestRuntime;
let base: string;

interface Msg {
  wamid: string;
  text?: string;
  from?: string;
  name?: string;
  timestamp?: string;
  extra?: Record<string, unknown>;
}

function message(m: Msg) {
  return { from: m.from ?? '573001000000', id: m.wamid, timestamp: m.timestamp ?? '1767225600', type: 'text', text: { body: m.text ?? `hola ${m.wamid}` }, ...m.extra };
}

/** One POST body (Meta's escaped serialization) carrying `msgs`, from one customer. */
function envelope(msgs: Msg[]): string {
  const p = fixture('01-text.json');
  const v = p.entry[0].changes[0].value;
  v.contacts = [{ profile: { name: msgs[0]!.name ?? 'Ana' }, wa_id: msgs[0]!.from ?? '573001000000' }];
  v.messages = msgs.map(message);
  return metaJson(p);
}

async function post(body: string | Buffer): Promise<number> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const res = await fetch(`${base}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(bytes, TEST_SECRETS.WHATSAPP_APP_SECRET) },
    body: bytes,
  });
  await res.arrayBuffer();
  return res.status;
}

const stored = async (wamid: string) => (await rt.db.query(`SELECT m.id, m.text, c.profile_name FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.wamid = $1`, [wamid])).rows;
const announced = async (ids: number[]) => (await rt.db.query(`SELECT message_id, count(*)::int AS n FROM inbound_log WHERE message_id = ANY($1::bigint[]) GROUP BY 1`, [ids])).rows;

beforeAll(async () => {
  rt = await startTestRuntime({ clock, domains: DOMAINS });
  await seedNumber(rt.db, rt.ctx.secrets);
  await rt.db.query(`CREATE TABLE inbound_log (message_id BIGINT NOT NULL)`);
  await rt.ctx.jobs.define<{ messageId: number }>({
    name: 'test.inbound-log',
    handler: async ({ messageId }) => void (await rt.db.query(`INSERT INTO inbound_log VALUES ($1)`, [messageId])),
  });
  rt.ctx.events.subscribe('message.inbound', 'test.inbound-log');
  // A bug we will "fix" later: this text cannot be stored (a real database error, not a mock).
  await rt.db.query(`CREATE FUNCTION refuse_bug() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.text = 'trigger-bug' THEN RAISE EXCEPTION 'simulated bug: cannot store %', NEW.wamid; END IF; RETURN NEW; END $$`);
  await rt.db.query(`CREATE TRIGGER refuse_bug BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_bug()`);
  base = (await rt.listen(0, '127.0.0.1')).url;
});
afterAll(async () => {
  await rt?.close();
});

describe('a poisoned batch of webhooks', () => {
  const good = Array.from({ length: 80 }, (_, i) => `wamid.poison.good.${i}`);
  const deep = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
  // A raw NUL byte inside a string of a signed body: not valid JSON, and PostgreSQL text refuses it.
  const rawNul = Buffer.from(envelope([{ wamid: 'wamid.poison.rawnul', text: 'before\u0000after' }]).replace('\\u0000', '\u0000'));

  it('answers every POST 200, processes every good event and item, and quarantines only the poison', async () => {
    const posts = [
      ...good.map((w, i) => envelope([{ wamid: w, from: `5730020${String(i).padStart(5, '0')}` }])),
      envelope([{ wamid: 'wamid.poison.nul', text: 'hola\u0000mundo' }]),
      envelope([{ wamid: 'wamid.poison.surrogate', name: 'Ana \ud800 María', from: '573003000001' }]),
      envelope([{ wamid: 'wamid.poison.beside-ts.1' }, { wamid: 'wamid.poison.ts', timestamp: '99999999999999' }, { wamid: 'wamid.poison.beside-ts.2' }]),
      envelope([{ wamid: 'wamid.poison.deep', extra: { nested: '__DEEP__' } }]).replace('"__DEEP__"', deep),
      rawNul,
      envelope([{ wamid: 'wamid.poison.bug', text: 'trigger-bug' }, { wamid: 'wamid.poison.beside-bug' }]),
    ];
    const statuses = await Promise.all(posts.map(post));
    expect(statuses).toEqual(posts.map(() => 200));
    await rt.idle({ timeoutMs: 60_000 });

    // Every good message: stored once, announced once.
    const goodIds: number[] = [];
    for (const w of [...good, 'wamid.poison.beside-ts.1', 'wamid.poison.beside-ts.2', 'wamid.poison.beside-bug']) {
      const rows = await stored(w);
      expect(rows).toHaveLength(1);
      goodIds.push(Number(rows[0].id));
    }
    const log = await announced(goodIds);
    expect(log).toHaveLength(goodIds.length);
    expect(log.every((r) => r.n === 1)).toBe(true);

    // Cleaned at the edge: stored with U+FFFD where the NUL / the lone surrogate was.
    expect((await stored('wamid.poison.nul'))[0].text).toBe('hola\uFFFDmundo');
    expect((await stored('wamid.poison.surrogate'))[0].profile_name).toBe('Ana \uFFFD María');

    // The poison: not stored, quarantined with its reason, listed for an operator.
    for (const w of ['wamid.poison.ts', 'wamid.poison.deep', 'wamid.poison.rawnul', 'wamid.poison.bug']) expect(await stored(w)).toHaveLength(0);
    const dead = await rt.services.whatsapp!.deadEvents();
    const byKey = (k: string) => dead.find((d) => d.key === k);
    expect(byKey('wamid.poison.ts')).toMatchObject({ kind: 'message', ref: 'entry[0].changes[0].value.messages[1]', reason: expect.stringMatching(/timestamp: must be unix seconds/) });
    expect(byKey('wamid.poison.deep')).toMatchObject({ kind: 'message', reason: 'message nested deeper than 32 levels' });
    expect(byKey('wamid.poison.bug')).toMatchObject({ kind: 'message', ref: 'entry[0].changes[0].value.messages[0]', reason: expect.stringMatching(/simulated bug: cannot store wamid.poison.bug/) });
    const whole = dead.filter((d) => d.ref === '');
    expect(whole).toHaveLength(1);
    expect(whole[0]).toMatchObject({ kind: 'event', reason: expect.stringMatching(/^body is not JSON: Bad control character/) });
    expect(dead).toHaveLength(4);

    // Nothing left pending, nothing dead-lettered.
    expect((await rt.db.query(`SELECT count(*)::int AS n FROM webhook_events WHERE state = 'pending'`)).rows[0].n).toBe(0);
    expect(await rt.ctx.jobs.deadLetters(WEBHOOK_QUEUE)).toBe(0);
    const raw = await rt.db.query(`SELECT raw_body, state FROM webhook_events WHERE id = $1`, [whole[0]!.eventId]);
    expect(raw.rows[0]).toMatchObject({ state: 'invalid', raw_body: rawNul }); // the exact bytes, NUL included
  }, 90_000);

  it('stores a raw NUL body in the same group-commit transaction as its neighbours', async () => {
    const ids = await storeWebhookEvents(rt.ctx, [Buffer.from(envelope([{ wamid: 'wamid.poison.gc.1' }])), rawNul, Buffer.from(envelope([{ wamid: 'wamid.poison.gc.2' }]))]);
    expect(ids).toHaveLength(3);
    const keys = await rt.db.query(`SELECT number_key FROM webhook_events WHERE id = ANY($1::bigint[]) ORDER BY id`, [ids]);
    const key = keys.rows[0].number_key;
    expect(key).toMatch(/^\d+$/); // read off the bytes, NUL or not
    expect(keys.rows.map((r) => r.number_key)).toEqual([key, key, key]);
    await rt.idle();
    expect(await stored('wamid.poison.gc.1')).toHaveLength(1);
    expect(await stored('wamid.poison.gc.2')).toHaveLength(1);
  });

  it('replays a quarantined item once its cause is fixed, and only then', async () => {
    const ch = rt.services.whatsapp!;
    const bug = (await ch.deadEvents()).find((d) => d.key === 'wamid.poison.bug')!;
    const ts = (await ch.deadEvents()).find((d) => d.key === 'wamid.poison.ts')!;
    const nul = (await ch.deadEvents()).find((d) => d.ref === '')!;

    // Not fixed yet: it fails again and stays listed, with one more attempt.
    expect(await ch.replayDeadEvent(bug.id)).toMatchObject({ outcome: 'still_failing', reason: expect.stringMatching(/simulated bug/) });
    expect(await ch.replayDeadEvent(ts.id)).toMatchObject({ outcome: 'still_failing', reason: expect.stringMatching(/unix seconds/) });
    expect(await ch.replayDeadEvent(nul.id)).toMatchObject({ outcome: 'still_failing', reason: expect.stringMatching(/not JSON/) });
    expect((await ch.deadEvents()).find((d) => d.id === bug.id)!.attempts).toBe(2);
    expect(await stored('wamid.poison.bug')).toHaveLength(0);

    // The fix is deployed: the replay stores it, announces it once, and it leaves the list.
    await rt.db.query(`DROP TRIGGER refuse_bug ON messages`);
    expect(await ch.replayDeadEvent(bug.id)).toEqual({ id: bug.id, outcome: 'processed' });
    const [row] = await stored('wamid.poison.bug');
    expect(row.text).toBe('trigger-bug');
    await rt.idle();
    expect(await announced([Number(row.id)])).toEqual([{ message_id: Number(row.id), n: 1 }]);
    expect((await ch.deadEvents()).map((d) => d.id)).not.toContain(bug.id);
    expect((await ch.deadEvents({ all: true })).find((d) => d.id === bug.id)!.resolvedAt).toBeInstanceOf(Date);
    expect(await ch.replayDeadEvent(bug.id)).toEqual({ id: bug.id, outcome: 'already_resolved' });
    // Its neighbour was stored the first time and is not stored or announced again.
    expect(await stored('wamid.poison.beside-bug')).toHaveLength(1);
  });
});

describe('the sweeper', () => {
  it('re-enqueues stored events left pending (their job lost), once per period, and leaves those whose job lives', async () => {
    // Stored 10 minutes ago, their jobs gone (dead-lettered or lost): nothing would ever read them.
    const lost = await rt.db.query<{ id: number }>(
      `INSERT INTO webhook_events (raw_body, received_at) VALUES ($1, now() - interval '10 minutes'), ($2, now() - interval '10 minutes') RETURNING id`,
      [Buffer.from(envelope([{ wamid: 'wamid.sweep.1' }])), Buffer.from(envelope([{ wamid: 'wamid.sweep.2' }]))],
    );
    // One whose job is only scheduled later (a retry in backoff): not the sweeper's business.
    const waiting = await rt.db.query<{ id: number }>(`INSERT INTO webhook_events (raw_body, received_at) VALUES ($1, now() - interval '10 minutes') RETURNING id`, [
      Buffer.from(envelope([{ wamid: 'wamid.sweep.waiting' }])),
    ]);
    const waitingId = Number(waiting.rows[0]!.id);
    await rt.ctx.jobs.send(WEBHOOK_QUEUE, { eventIds: [waitingId] }, { startAfterSeconds: 3600 });

    clock.advance(60_000); // a new sweeper period
    await waitFor(async () => (await stored('wamid.sweep.1')).length === 1 && (await stored('wamid.sweep.2')).length === 1, 15_000);
    const states = await rt.db.query(`SELECT id, state FROM webhook_events WHERE id = ANY($1::bigint[]) ORDER BY id`, [[...lost.rows.map((r) => r.id), waitingId]]);
    expect(states.rows.map((r) => r.state)).toEqual(['processed', 'processed', 'pending']);
    const jobs = await rt.db.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND data->'eventIds' @> $2::jsonb`, [WEBHOOK_QUEUE, JSON.stringify([waitingId])]);
    expect(jobs.rows[0].n).toBe(1);
    // The next period, swept (two full scheduler passes after the clock moved): the waiting event
    // still has its job, so it gets no second one.
    clock.advance(60_000);
    const passes = rt.ctx.scheduler.passes;
    await waitFor(() => rt.ctx.scheduler.passes >= passes + 2, 'two scheduler passes');
    expect((await rt.db.query(`SELECT 1 FROM periodic_runs WHERE task = 'whatsapp.webhook-sweep' AND period_key = $1`, [String(Math.floor(clock.now().getTime() / 60_000) * 60_000)])).rowCount).toBe(1);
    const again = await rt.db.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND data->'eventIds' @> $2::jsonb`, [WEBHOOK_QUEUE, JSON.stringify([waitingId])]);
    expect(again.rows[0].n).toBe(1);
  });

  it("wakes the drain of a lane whose events were left pending (its wake-up lost), in the lane's order", async () => {
    // Stored with their number and lane 10 minutes ago, and no wake-up job: only the sweeper can find them.
    const bodies = ['wamid.lane.1', 'wamid.lane.2'].map((w) => Buffer.from(envelope([{ wamid: w, text: `orden ${w}` }])));
    const keys = bodies.map(drainKeyOf);
    expect(keys[0]!.numberKey).not.toBe('unknown');
    const ins = await rt.db.query<{ id: number }>(
      `INSERT INTO webhook_events (raw_body, number_key, lane, received_at)
       SELECT b, k, l, now() - interval '10 minutes' FROM unnest($1::bytea[], $2::text[], $3::smallint[]) AS t(b, k, l) RETURNING id`,
      [bodies, keys.map((k) => k.numberKey), keys.map((k) => k.lane)],
    );
    clock.advance(60_000);
    await waitFor(async () => (await stored('wamid.lane.1')).length === 1 && (await stored('wamid.lane.2')).length === 1, 15_000);
    const ids = await rt.db.query(`SELECT wamid FROM messages WHERE wamid LIKE 'wamid.lane.%' ORDER BY id`);
    expect(ids.rows.map((r) => r.wamid)).toEqual(['wamid.lane.1', 'wamid.lane.2']);
    // Not re-enqueued by id: the lane's drain took them.
    for (const { id } of ins.rows) {
      const byId = await rt.db.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND data->'eventIds' @> $2::jsonb`, [WEBHOOK_QUEUE, JSON.stringify([Number(id)])]);
      expect(byId.rows[0].n).toBe(0);
    }
  });
});

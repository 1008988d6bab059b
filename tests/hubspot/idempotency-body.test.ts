// Issue 10.1: hubspot.fetch cannot send an Idempotency-Key header (HubSpot's proxy refuses it), so the
// key travels in the JSON body as `idempotencyKey`; other callers may still send the header. Both get
// the same semantics: the first answer stored and replayed (Idempotent-Replayed), IN_PROGRESS while running.
import type { Router } from 'express';
import { z } from 'zod';
import type { AppContext, Domain } from '../../src/app-context.js';
import { ManualClock } from '../../src/clock.js';
import { idempotent } from '../../src/http/api-idempotency.js';
import { AppError } from '../../src/http/errors.js';
import { callerOf, requireHubSpotSignature } from '../../src/http/signed-request.js';
import { NO_DOMAINS, startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { signedRequest } from '../helpers/signed.js';

const T0 = Date.parse('2026-04-01T12:00:00Z');
const clock = new ManualClock(T0);
let runs = 0;
let gate: Promise<void> | null = null;

/** A strict schema: an unknown field (such as a leftover idempotencyKey) fails validation. */
const noteSchema = z.strictObject({ text: z.string().min(1) });

const probe = (ctx: AppContext): Domain => ({
  name: 'idempotency-probe',
  mountRoutes(router: Router) {
    router.post('/api/v1/notes', requireHubSpotSignature(ctx), idempotent(ctx), async (req, res) => {
      const parsed = noteSchema.safeParse(req.body);
      if (!parsed.success) throw new AppError(422, 'VALIDATION', 'bad note', { body: parsed.error.issues[0]!.message });
      runs += 1;
      if (gate) await gate;
      res.status(201).json({ note: { n: runs, text: parsed.data.text }, portalId: callerOf(req).portalId });
    });
  },
});

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime({ clock, domains: { ...NO_DOMAINS, extra: (ctx) => [probe(ctx)] }, work: false });
  await rt.db.query(`INSERT INTO portals (id, status) VALUES (101, 'installed'), (103, 'installed')`);
});
afterAll(async () => {
  await rt?.close();
});
beforeEach(() => {
  runs = 0;
  gate = null;
});

const post = (body: unknown, o: { headers?: Record<string, string>; portalId?: number } = {}) =>
  signedRequest(rt.app, { method: 'POST', path: '/api/v1/notes', portalId: o.portalId ?? 101, userId: 7, timestamp: T0, body, headers: o.headers });

describe('idempotency key in the body or the header', () => {
  test('body idempotencyKey: removed before the route validates; a repeat replays the first answer', async () => {
    const first = await post({ text: 'hola', idempotencyKey: 'body-k1' });
    expect(first.status).toBe(201);
    expect(first.body.note).toEqual({ n: 1, text: 'hola' });
    const again = await post({ text: 'hola', idempotencyKey: 'body-k1' });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(runs).toBe(1);
  });

  test('Idempotency-Key header from other callers: same semantics', async () => {
    const first = await post({ text: 'hi' }, { headers: { 'Idempotency-Key': 'hdr-k1' } });
    const again = await post({ text: 'hi' }, { headers: { 'Idempotency-Key': 'hdr-k1' } });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(runs).toBe(1);
  });

  test('a header and a body key name the same action when equal; differing ones are refused', async () => {
    const same = await post({ text: 'x', idempotencyKey: 'both-1' }, { headers: { 'Idempotency-Key': 'both-1' } });
    expect(same.status).toBe(201);
    const replay = await post({ text: 'x', idempotencyKey: 'both-1' });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const differ = await post({ text: 'x', idempotencyKey: 'a' }, { headers: { 'Idempotency-Key': 'b' } });
    expect(differ.status).toBe(422);
    expect(differ.body.error.details).toHaveProperty('idempotencyKey');
    expect(runs).toBe(1);
  });

  test('a key that is not a 1–200 character token is refused with 422 and nothing runs', async () => {
    for (const idempotencyKey of [42, '', 'has space', 'x'.repeat(201)]) {
      const r = await post({ text: 'x', idempotencyKey });
      expect(r.status).toBe(422);
      expect(r.body.error).toMatchObject({ code: 'VALIDATION', details: { idempotencyKey: expect.any(String) } });
    }
    expect(runs).toBe(0);
  });

  test('while the first request runs, a repeat answers 409 IN_PROGRESS', async () => {
    let open!: () => void;
    gate = new Promise<void>((r) => (open = r));
    const first = post({ text: 'slow', idempotencyKey: 'slow-1' }).then((r) => r);
    while (runs === 0) await new Promise((r) => setTimeout(r, 5));
    const during = await post({ text: 'slow', idempotencyKey: 'slow-1' });
    expect(during.status).toBe(409);
    expect(during.body.error.code).toBe('IN_PROGRESS');
    open();
    expect((await first).status).toBe(201);
  });

  test('without a key, a captured signed request replayed within the signature window runs once (issue 17)', async () => {
    const first = await post({ text: 'replay me' });
    expect(first.status).toBe(201);
    // The same bytes with the same signature, twice more (a replay, or HubSpot's proxy retrying).
    const again = await Promise.all([post({ text: 'replay me' }), post({ text: 'replay me' })]);
    expect(again.map((r) => r.status)).toEqual([201, 201]);
    expect(again.map((r) => r.headers['idempotent-replayed'])).toEqual(['true', 'true']);
    expect(again[0]!.body).toEqual(first.body);
    expect(runs).toBe(1);
    // The rep sending the same text again is a new request: a new timestamp, a new signature.
    clock.advance(1000);
    try {
      const later = await signedRequest(rt.app, { method: 'POST', path: '/api/v1/notes', portalId: 101, userId: 7, timestamp: T0 + 1000, body: { text: 'replay me' } });
      expect(later.status).toBe(201);
      expect(later.headers['idempotent-replayed']).toBeUndefined();
      expect(runs).toBe(2);
    } finally {
      clock.set(new Date(T0));
    }
  });

  test('keys are per portal: the same key in another portal runs on its own', async () => {
    await post({ text: 'a', idempotencyKey: 'shared-k' });
    const other = await post({ text: 'a', idempotencyKey: 'shared-k' }, { portalId: 103 });
    expect(other.status).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(other.body.portalId).toBe(103);
    expect(runs).toBe(2);
  });
});

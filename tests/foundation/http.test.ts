import { Writable } from 'node:stream';
import request from 'supertest';
import { z } from 'zod';
import type { Domain } from '../../src/app-context.js';
import { AppError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/server.js';
import { testConfig } from '../helpers/config.js';
import { testDatabase } from '../helpers/db.js';

const probe: Domain = {
  name: 'probe',
  mountRoutes(router) {
    router.post('/probe/echo', (req, res) => {
      const body = z.object({ text: z.string().min(1) }).parse(req.body);
      req.log.info({ accessToken: 'EAAG-secret-token' }, 'echo');
      res.json({ text: body.text, raw: req.rawBody?.toString('utf8') });
    });
    router.get('/probe/conflict', () => {
      throw new AppError(409, 'WINDOW_CLOSED', 'The 24-hour window is closed; send a template');
    });
    router.get('/probe/crash', () => {
      throw new Error('database password is hunter2');
    });
  },
};

describe('HTTP app', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString().trim().split('\n'));
      cb();
    },
  });
  let runtime: Awaited<ReturnType<typeof createRuntime>>;
  let db: Awaited<ReturnType<typeof testDatabase>>;

  beforeAll(async () => {
    db = await testDatabase();
    runtime = await createRuntime(testConfig(), { db, domains: { whatsapp: false, hubspot: false, conversations: false, extra: () => [probe] }, logger: createLogger('info', sink) });
  });
  afterAll(async () => {
    await runtime.close();
    await db.close();
  });

  it('answers /health with the database up', async () => {
    await request(runtime.app).get('/health').expect(200, { status: 'ok' });
  });

  it('keeps the raw body, validates input and answers errors as {"error":{code,message}}', async () => {
    const ok = await request(runtime.app).post('/probe/echo').set('Content-Type', 'application/json').send('{"text":"hola \\u00e9"}');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ text: 'hola é', raw: '{"text":"hola \\u00e9"}' });

    const invalid = await request(runtime.app).post('/probe/echo').send({ text: '' });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error).toMatchObject({ code: 'VALIDATION', details: { text: expect.any(String) } });

    const badJson = await request(runtime.app).post('/probe/echo').set('Content-Type', 'application/json').send('{"text":');
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('INVALID_JSON');

    const big = await request(runtime.app).post('/probe/echo').send({ text: 'x'.repeat(2 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');

    const conflict = await request(runtime.app).get('/probe/conflict');
    expect(conflict.status).toBe(409);
    expect(conflict.body).toEqual({ error: { code: 'WINDOW_CLOSED', message: 'The 24-hour window is closed; send a template' } });

    const missing = await request(runtime.app).get('/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
  });

  it('never leaks an internal error to the caller', async () => {
    const r = await request(runtime.app).get('/probe/crash');
    expect(r.status).toBe(500);
    expect(r.body.error.code).toBe('INTERNAL');
    expect(JSON.stringify(r.body)).not.toContain('hunter2');
  });

  it('puts the request id on every log line of a request and redacts secrets', async () => {
    lines.length = 0;
    const r = await request(runtime.app)
      .post('/probe/echo')
      .set('X-Request-Id', 'req-abc-123')
      .set('Authorization', 'Bearer pat-na1-very-secret')
      .send({ text: 'hi' });
    expect(r.headers['x-request-id']).toBe('req-abc-123');
    const logged = lines.map((l) => JSON.parse(l));
    const mine = logged.filter((l) => JSON.stringify(l).includes('req-abc-123'));
    expect(mine.length).toBeGreaterThanOrEqual(2); // the handler's line and the completion line
    expect(mine.find((l) => l.msg === 'echo')?.accessToken).toBe('[redacted]');
    expect(lines.join('\n')).not.toContain('pat-na1-very-secret');
    expect(lines.join('\n')).not.toContain('EAAG-secret-token');
  });

  it('answers /health 503 when the database does not answer', async () => {
    const db2 = await testDatabase();
    const rt = await createRuntime(testConfig(), { db: db2, domains: { whatsapp: false, hubspot: false, conversations: false }, logger: createLogger('silent') });
    await rt.ctx.jobs.stop();
    await db2.close();
    const r = await request(rt.app).get('/health');
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ status: 'unavailable' });
    await rt.ctx.scheduler.stop();
  });
});

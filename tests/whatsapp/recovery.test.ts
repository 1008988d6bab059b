// Issue 17 item 2, "fast recovery": a worker SIGKILLed in the middle of a webhook batch. With the
// production job settings (lease + heartbeat, src/jobs/heartbeat.ts) another worker picks the job
// up within seconds, not after a 300 s expiry, and every event of the batch is processed once.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LANES, WEBHOOK_WAKE_QUEUE } from '../../src/whatsapp/drain.js';
import { storeWebhookEvents } from '../../src/whatsapp/webhook.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { fixture, metaJson, seedNumber, waitFor } from './helpers.js';

const WORKER = fileURLToPath(new URL('../helpers/app-worker.ts', import.meta.url));
const DOMAINS = { hubspot: false, conversations: false, campaigns: false, templates: false, reminders: false } as const;
// Enough that the victim is still at work when the survivor has started (a drain pass takes 50 events).
const N = 6000;

function startWorker(url: string): Promise<ChildProcess> {
  const child = fork(WORKER, [url], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
  });
}

function body(i: number): Buffer {
  const p = fixture('01-text.json');
  const v = p.entry[0].changes[0].value;
  const from = `5730040${String(i).padStart(5, '0')}`;
  v.contacts = [{ profile: { name: `Cliente ${i}` }, wa_id: from }];
  v.messages = [{ from, id: `wamid.kill.${i}`, timestamp: '1767225600', type: 'text', text: { body: `hola ${i}` } }];
  return Buffer.from(metaJson(p));
}

let rt: TestRuntime;
let survivor: TestRuntime | undefined;
let victim: ChildProcess | undefined;

beforeAll(async () => {
  rt = await startTestRuntime({ work: false, domains: DOMAINS }); // stores only: the workers are elsewhere
  await seedNumber(rt.db, rt.ctx.secrets);
});
afterAll(async () => {
  victim?.kill('SIGKILL');
  await survivor?.close();
  await rt?.close();
});

const processed = async () => (await rt.db.query(`SELECT count(*)::int AS n FROM webhook_events WHERE state = 'processed'`)).rows[0].n as number;

test('a worker killed mid-batch: the job is picked up within seconds and each event processed once', async () => {
  victim = await startWorker(rt.db.url);
  await storeWebhookEvents(
    rt.ctx,
    Array.from({ length: N }, (_, i) => body(i)),
  ); // one transaction, one wake-up of their number's drain
  await waitFor(async () => (await processed()) >= 20, 60_000, 'the victim at work');
  // Another instance, production job settings, in this process: it cannot take the job while the victim holds its lease.
  survivor = await startTestRuntime({ db: rt.db, ownsDb: false, domains: DOMAINS });
  victim.kill('SIGKILL');
  await new Promise((r) => victim!.once('exit', r));
  const killedAt = Date.now();
  const atKill = await processed();
  expect(atKill).toBeLessThan(N); // it died mid-job

  await waitFor(async () => (await processed()) > atKill, { timeoutMs: 60_000, stepMs: 100, what: 'the job picked up again' });
  const pickedUpAfterMs = Date.now() - killedAt;
  expect(pickedUpAfterMs).toBeLessThan(25_000); // lease 10 s + monitor 3 s + retry delay 2 s, not 300 s

  await waitFor(async () => (await processed()) === N, { timeoutMs: 120_000, stepMs: 100, what: 'every event processed' });
  const msgs = await rt.db.query(`SELECT count(*)::int AS n, count(DISTINCT wamid)::int AS d FROM messages WHERE wamid LIKE 'wamid.kill.%'`);
  expect(msgs.rows[0]).toEqual({ n: N, d: N });
  // The drain's last pass finds nothing more and its job completes.
  const wakeJobs = () => rt.db.query(`SELECT state, retry_count FROM pgboss.job WHERE name = $1`, [WEBHOOK_WAKE_QUEUE]);
  await waitFor(async () => (await wakeJobs()).rows.every((j) => j.state === 'completed'), 30_000, 'the wake-up job completed');
  const jobs = (await wakeJobs()).rows;
  expect(jobs.length).toBeGreaterThanOrEqual(1); // one per lane the customers fell in
  expect(jobs.length).toBeLessThanOrEqual(LANES);
  expect(jobs.some((j) => j.retry_count >= 1)).toBe(true); // finished by a retry, in the survivor
  console.log(`recovery: ${atKill}/${N} events done when the worker was killed; picked up after ${pickedUpAfterMs} ms`);
}, 180_000);

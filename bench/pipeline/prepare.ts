// bench:pipeline set-up: consented customers with an assigned conversation (through the real path:
// "Hola" → the consent bot → "acepto" → routed), and the job backlog read from pg-boss.
import type { Database } from '../../src/db/database.js';
import { customerWrites, postWebhook, seen, type World } from '../../tests/helpers/world.js';

export async function waitUntil(fn: () => Promise<boolean>, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Jobs waiting or running, by queue (future-dated retries included), and unprocessed webhook events. */
export async function backlog(db: Database): Promise<{ total: number; detail: string; pendingEvents: number }> {
  const r = await db.query<{ name: string; n: number }>(
    `SELECT name, count(*)::int AS n FROM pgboss.job WHERE state IN ('created', 'retry', 'active') GROUP BY name ORDER BY 2 DESC`,
  );
  const e = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_events WHERE state = 'pending'`);
  // Bot replies stored in their inbound turn and waiting for a send slot are work too, though no job.
  const s = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM messages WHERE direction = 'out' AND status = 'accepted' AND wamid IS NULL AND dispatch_pending`,
  );
  const rows = [...r.rows, ...(s.rows[0]!.n ? [{ name: 'sends stored, not yet at Meta', n: s.rows[0]!.n }] : [])].sort((a, b) => b.n - a.n);
  const total = rows.reduce((sum, x) => sum + x.n, 0);
  return { total, detail: rows.map((x) => `${x.name} ${x.n}`).join(', ') || 'none', pendingEvents: e.rows[0]!.n };
}

async function sendAll(urls: string[], hooks: { body: Buffer; signature: string }[], perSecond: number): Promise<void> {
  const pending: Promise<number>[] = [];
  for (const [i, h] of hooks.entries()) {
    pending.push(postWebhook(urls[i % urls.length]!, h));
    if (i % perSecond === perSecond - 1) await new Promise((r) => setTimeout(r, 1000));
  }
  const statuses = await Promise.all(pending);
  if (statuses.some((s) => s !== 200)) throw new Error(`set-up webhooks refused: ${statuses.filter((s) => s !== 200).length}`);
}

export async function prepareChatCustomers(w: World, db: Database, urls: string[], n: number, runId: string): Promise<string[]> {
  const waIds = Array.from({ length: n }, (_, i) => `57320${String(1_000_000 + i).padStart(7, '0')}`);
  const t0 = Date.now();
  await sendAll(urls, waIds.map((waId, i) => customerWrites(w, { waId, wamid: `wamid.prep.${runId}.hi.${i}`, text: 'Hola' })), 40);
  const prompted = await waitUntil(async () => waIds.every((id) => (seen(w).sendsTo.get(id)?.length ?? 0) > 0), 60_000, 200);
  if (!prompted) throw new Error('set-up: the consent bot did not answer every chat customer within 60 s');
  await sendAll(urls, waIds.map((waId, i) => customerWrites(w, { waId, wamid: `wamid.prep.${runId}.yes.${i}`, text: 'acepto' })), 40);
  const assigned = await waitUntil(async () => {
    const r = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM conversations cv JOIN contacts c ON c.id = cv.contact_id
        WHERE c.wa_id = ANY($1) AND cv.assignee_agent_id IS NOT NULL`,
      [waIds],
    );
    return r.rows[0]!.n >= n;
  }, 60_000, 200);
  if (!assigned) throw new Error('set-up: not every chat customer was routed to an agent within 60 s');
  console.log(`set-up: ${n} consented customers routed to agents in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return waIds;
}

/** Per queue, for jobs created since `since`: how many, time waiting for a worker, time running. */
export async function jobHops(db: Database, since: Date): Promise<{ name: string; n: number; waitP50: number; waitP99: number; runP50: number; runP99: number }[]> {
  const r = await db.query(
    `SELECT name, count(*)::int AS n,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_on - created_on) * 1000) AS wait_p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started_on - created_on) * 1000) AS wait_p99,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_on - started_on) * 1000) AS run_p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM completed_on - started_on) * 1000) AS run_p99
       FROM pgboss.job WHERE created_on >= $1 AND state = 'completed' GROUP BY name ORDER BY 2 DESC`,
    [since],
  );
  return r.rows.map((x) => ({ name: x.name, n: x.n, waitP50: Number(x.wait_p50), waitP99: Number(x.wait_p99), runP50: Number(x.run_p50), runP99: Number(x.run_p99) }));
}

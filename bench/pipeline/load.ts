// Open-loop arrivals for bench:pipeline: message i is POSTed at start + i / rate, whether or not the
// earlier ones have been answered (a real Meta does not wait for us), so a slow app shows as latency
// and backlog instead of a slower generator.
import { customerWrites, postWebhook, type World } from '../../tests/helpers/world.js';

export interface Arrival {
  i: number;
  kind: 'new' | 'chat';
  waId: string;
  /** Unique in the text, to find the message's communication on the HubSpot timeline. */
  token: string;
  postedAt: number;
  ackMs?: number;
  status?: number;
}

export interface LoadPlan {
  world: World;
  urls: string[];
  rate: number;
  seconds: number;
  mode: 'new' | 'chat' | 'mixed';
  runId: string;
  /** Consented customers with an assigned conversation (chat and mixed). */
  chatCustomers: string[];
  firstNewWaId: number;
}

export async function runArrivals(p: LoadPlan): Promise<Arrival[]> {
  const total = Math.round(p.rate * p.seconds);
  const arrivals: Arrival[] = [];
  const inflight: Promise<void>[] = [];
  const start = Date.now();
  let next = 0;
  let chatTurn = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * p.rate) + 1);
      for (; next < due; next++) {
        const i = next;
        const chat = p.mode === 'chat' || (p.mode === 'mixed' && i % 2 === 1);
        const waId = chat ? p.chatCustomers[chatTurn++ % p.chatCustomers.length]! : `57310${String(p.firstNewWaId + i).padStart(7, '0')}`;
        const token = `B${p.runId}x${i}`;
        const text = chat ? `¿Ya salió mi pedido? ${token}` : `Hola, quiero información ${token}`;
        const a: Arrival = { i, kind: chat ? 'chat' : 'new', waId, token, postedAt: Date.now() };
        arrivals.push(a);
        const hook = customerWrites(p.world, { waId, wamid: `wamid.bench.${p.runId}.${i}`, text, at: a.postedAt });
        const t0 = performance.now();
        inflight.push(
          postWebhook(p.urls[i % p.urls.length]!, hook).then((status) => {
            a.status = status;
            a.ackMs = performance.now() - t0;
          }),
        );
      }
      if (next >= total) resolve();
      else setTimeout(tick, 2);
    };
    tick();
  });
  await Promise.all(inflight);
  return arrivals;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

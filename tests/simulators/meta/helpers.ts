// Shared helpers for the Meta simulator tests (not a test file itself).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createMetaSimulator, type MetaSimulator, type MetaSimulatorOptions, type SimNumber } from '../../../simulators/meta/index.js';

export const SHARED = path.resolve(process.cwd(), '../shared');
export const FIXTURES_DIR = path.join(SHARED, 'fixtures/whatsapp');
export const SPEC_PATH = path.join(SHARED, 'specs/meta/business-messaging-api_v23.0.yaml');

export const APP_SECRET = 'test-app-secret';
export const NUMBER: SimNumber = {
  phoneNumberId: '106540352242922',
  wabaId: '102290129340398',
  displayPhoneNumber: '15550783881',
  verifiedName: 'Jaspers Market',
  accessToken: 'EAAtoken-number-1',
};
export const OTHER_NUMBER: SimNumber = {
  phoneNumberId: '200000000000001',
  wabaId: '200000000000009',
  displayPhoneNumber: '+57 601 555 0000',
  verifiedName: 'Other Business',
  accessToken: 'EAAtoken-other',
};
export const CUSTOMER = '16505551234';

export type Json = Record<string, any>;

export function loadFixture(name: string): Json {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, name), 'utf8')) as Json;
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

// ---- webhook receiver -----------------------------------------------------------------------

export interface Received {
  raw: Buffer;
  headers: IncomingHttpHeaders;
  json: Json;
  signatureValid: boolean;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Answer with this status for the next N requests (to test retries). */
  failNext(n: number, status?: number): void;
  waitFor(pred: (r: Received) => boolean, timeoutMs?: number): Promise<Received>;
  close(): Promise<void>;
}

export function validSignature(raw: Buffer, header: string | undefined, secret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const got = header.slice(7);
  if (!/^[0-9a-f]{64}$/.test(got)) return false;
  const expected = createHmac('sha256', secret).update(raw).digest('hex');
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(got, 'hex'));
}

export async function startReceiver(secret = APP_SECRET): Promise<Receiver> {
  const received: Received[] = [];
  let failing = 0;
  let failStatus = 500;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failing > 0) {
        failing--;
        res.statusCode = failStatus;
        return void res.end('nope');
      }
      const raw = Buffer.concat(chunks);
      received.push({
        raw,
        headers: req.headers,
        json: JSON.parse(raw.toString('utf8')) as Json,
        signatureValid: validSignature(raw, req.headers['x-hub-signature-256'] as string | undefined, secret),
      });
      res.end('EVENT_RECEIVED');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/whatsapp`,
    received,
    failNext(n, status = 500) {
      failing = n;
      failStatus = status;
    },
    async waitFor(pred, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = received.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`receiver: no matching webhook within ${timeoutMs} ms (got ${received.length})`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// ---- webhook payload accessors ---------------------------------------------------------------

export const valueOf = (p: Json): Json => p.entry[0].changes[0].value as Json;
export const statusesOf = (rs: Received[], wamid?: string): Json[] =>
  rs.flatMap((r) => (valueOf(r.json).statuses as Json[] | undefined) ?? []).filter((s) => !wamid || s.id === wamid);

// ---- recursive key shapes --------------------------------------------------------------------

/** Keys (sorted) and primitive types, recursively; arrays by their first element. */
export function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as Json)
        .sort()
        .map((k) => [k, shape((v as Json)[k])]),
    );
  }
  return v === null ? 'null' : typeof v;
}

// ---- a simulator on a random port plus a receiver --------------------------------------------

export interface Harness {
  sim: MetaSimulator;
  url: string;
  receiver: Receiver;
  /** fetch against the Graph API with the number's token (override with `token: null` to omit it). */
  graph(method: string, p: string, body?: unknown, token?: string | null): Promise<{ status: number; json: Json }>;
  close(): Promise<void>;
}

export async function harness(opts: Partial<MetaSimulatorOptions> = {}): Promise<Harness> {
  const receiver = await startReceiver(opts.appSecret ?? APP_SECRET);
  const sim = createMetaSimulator({ appSecret: APP_SECRET, numbers: [NUMBER, OTHER_NUMBER], webhookUrl: receiver.url, ...opts });
  const srv = await sim.listen(0);
  return {
    sim,
    url: srv.url,
    receiver,
    async graph(method, p, body, token = NUMBER.accessToken) {
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(p.startsWith('http') ? p : `${srv.url}${p}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as Json) : {} };
    },
    async close() {
      sim.stop();
      await srv.close();
      await receiver.close();
    },
  };
}

export const textSend = (to = `+${CUSTOMER}`, body = 'Hello from the business'): Json => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to,
  type: 'text',
  text: { body },
});

// ---- a tiny YAML-subset reader (block maps/sequences, quoted and plain scalars) -------------

interface Line {
  indent: number;
  text: string;
}

function scalar(s: string): unknown {
  const t = s.trim();
  if (t.startsWith("'") && t.endsWith("'") && t.length >= 2) return t.slice(1, -1).replace(/''/g, "'");
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) return JSON.parse(t) as unknown;
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null' || t === '~') return null;
  if (t === '{}') return {};
  if (t === '[]') return [];
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return t;
}

function splitKey(text: string): { key: string; rest: string } | undefined {
  if (/^'[^']*':( |$)/.test(text)) {
    const end = text.indexOf("':");
    return { key: text.slice(1, end), rest: text.slice(end + 2).trim() };
  }
  const i = text.indexOf(': ');
  if (i > 0) return { key: text.slice(0, i), rest: text.slice(i + 2).trim() };
  if (text.endsWith(':')) return { key: text.slice(0, -1), rest: '' };
  return undefined;
}

function parseNode(lines: Line[], i: number, indent: number): [unknown, number] {
  const l = lines[i];
  if (l.text.startsWith('- ') || l.text === '-') {
    const out: unknown[] = [];
    while (i < lines.length && lines[i].indent === indent && (lines[i].text.startsWith('- ') || lines[i].text === '-')) {
      const itemText = lines[i].text.slice(2);
      const isMapOrSeq = splitKey(itemText) !== undefined || itemText.startsWith('- ');
      if (!isMapOrSeq) {
        out.push(scalar(itemText));
        i++;
        continue;
      }
      lines[i] = { indent: indent + 2, text: itemText };
      const [v, next] = parseNode(lines, i, indent + 2);
      out.push(v);
      i = next;
    }
    return [out, i];
  }
  const out: Record<string, unknown> = {};
  while (i < lines.length && lines[i].indent === indent && !lines[i].text.startsWith('- ')) {
    const kv = splitKey(lines[i].text);
    if (!kv) throw new Error(`yaml: cannot read line "${lines[i].text}"`);
    i++;
    if (kv.rest !== '') {
      out[kv.key] = scalar(kv.rest);
    } else if (i < lines.length && (lines[i].indent > indent || (lines[i].indent === indent && lines[i].text.startsWith('- ')))) {
      const [v, next] = parseNode(lines, i, lines[i].indent);
      out[kv.key] = v;
      i = next;
    } else {
      out[kv.key] = null;
    }
  }
  return [out, i];
}

export function parseYamlBlock(raw: string[]): unknown {
  const lines: Line[] = raw
    .filter((s) => s.trim() !== '' && !s.trim().startsWith('#'))
    .map((s) => ({ indent: s.length - s.trimStart().length, text: s.trim() }));
  return parseNode(lines, 0, lines[0].indent)[0];
}

/**
 * The request examples of `POST /{Version}/{Phone-Number-ID}/messages` (operationId sendMessage) in Meta's
 * OpenAPI spec: the `examples:` map under its requestBody, returned with the spec line of each example.
 */
export function sendMessageExamples(): Array<{ name: string; line: number; value: Json }> {
  const lines = readFileSync(SPEC_PATH, 'utf8').split('\n');
  const pathLine = lines.findIndex((l) => l === '  /{Version}/{Phone-Number-ID}/messages:');
  if (pathLine < 0) throw new Error('spec: sendMessage path not found');
  const op = lines.findIndex((l, i) => i > pathLine && l.trim() === 'operationId: sendMessage');
  const ex = lines.findIndex((l, i) => i > op && l === '            examples:');
  let end = ex + 1;
  while (end < lines.length && (lines[end].trim() === '' || lines[end].length - lines[end].trimStart().length > 12)) end++;
  const examples = parseYamlBlock(lines.slice(ex + 1, end)) as Record<string, { value: Json }>;
  return Object.entries(examples).map(([name, v]) => ({
    name,
    value: v.value,
    line: lines.findIndex((l, i) => i > ex && i < end && l === `              ${name}:`) + 1,
  }));
}

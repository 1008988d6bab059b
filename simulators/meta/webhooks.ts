// Signed webhook delivery with Meta-like retries.
import { metaJson, signSha1, signSha256 } from './signing.js';
import type { WebhookLogEntry } from './types.js';

export interface WebhookSenderOptions {
  appSecret: string;
  getUrl: () => string | undefined;
  retries: number;
  retryBaseMs: number;
  now: () => number;
  log: WebhookLogEntry[];
  sleep: (ms: number) => Promise<void>;
}

export class WebhookSender {
  constructor(private readonly o: WebhookSenderOptions) {}

  /** Serializes like Meta, signs the exact bytes and POSTs; retries on any non-200 answer or network error. */
  async deliver(payload: unknown): Promise<{ status: number }> {
    const body = metaJson(payload);
    const signature = signSha256(body, this.o.appSecret);
    const entry: WebhookLogEntry = { payload, body, signature, status: 0, attempts: 0, at: this.o.now() };
    this.o.log.push(entry);
    const url = this.o.getUrl();
    if (!url) {
      entry.error = 'no webhook URL configured';
      return { status: 0 };
    }
    for (let attempt = 0; attempt <= this.o.retries; attempt++) {
      if (attempt > 0) await this.o.sleep(this.o.retryBaseMs * 2 ** (attempt - 1));
      entry.attempts = attempt + 1;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'facebookexternalua',
            'x-hub-signature': signSha1(body, this.o.appSecret),
            'x-hub-signature-256': signature,
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        entry.status = res.status;
        delete entry.error;
        if (res.status === 200) return { status: 200 };
      } catch (e) {
        entry.status = 0;
        entry.error = e instanceof Error ? e.message : String(e);
      }
    }
    return { status: entry.status };
  }
}

import { randomBytes } from 'node:crypto';

let lastMs = 0;
let seq = 0;

/**
 * A time-ordered job id (UUID version 7, RFC 9562), increasing within the process. pg-boss fetches
 * by priority, then `created_on`, then id: jobs sent in one transaction share `created_on` (and the
 * embedded database's clock has millisecond steps), so a random id would run them in random order —
 * two messages of one customer in one webhook could be handled out of order. These ids keep the
 * order they were sent in: the timestamp, then a 12-bit counter within the millisecond.
 */
export function jobId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    seq = 0;
  } else if (++seq > 0xfff) {
    lastMs++; // more than 4,096 ids in a millisecond: borrow the next one, order still holds
    seq = 0;
  }
  const b = randomBytes(16);
  b.writeUIntBE(lastMs, 0, 6);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

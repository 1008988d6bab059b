// One instance of the shared limiter in its own process, for the multi-instance tests.
// argv: <database url> <key> <count> <ratePerSecond> <clockSkewMs> <mode: run|die-holding>
// Its clock is skewed by clockSkewMs (Date.now): the limiter must pace on the database's clock.
// Prints one line per granted slot: the real (unskewed) epoch ms at which the caller may start.
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../src/db/database.js';
import { SharedRateLimiter } from '../../src/limits/index.js';

const [url, key, count, rate, skew, mode] = process.argv.slice(2) as [string, string, string, string, string, string];
const realNow = () => performance.timeOrigin + performance.now();
const skewMs = Number(skew);
const realDateNow = Date.now.bind(Date);
Date.now = () => realDateNow() + skewMs;

const db = await openDatabase({ databaseUrl: url, poolMax: 4 });
// die-holding: book slots ahead and never use them (the test kills us while we "hold" them).
const limiter = new SharedRateLimiter(db.pool, mode === 'die-holding' ? { sleep: () => new Promise(() => {}) } : {});
process.send?.('ready');
await new Promise<void>((r) => process.once('message', () => r()));
let booked = 0;
await Promise.all(
  Array.from({ length: Number(count) }, async () => {
    const p = limiter.acquire(key, { ratePerSecond: Number(rate) });
    if (mode === 'die-holding') {
      // the booking is stored before the sleep: report it, then hang in the sleep
      setTimeout(() => ++booked === Number(count) && process.send?.('booked'), 0);
    }
    await p;
    process.stdout.write(`${realNow()}\n`);
  }),
);
await db.close();

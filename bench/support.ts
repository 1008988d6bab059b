// What the end-to-end benchmarks (pipeline, soak) share: a free port, and a database of their own.
import { createScratchDatabase } from '../src/db/scratch-database.js';
import { startEmbeddedHost } from '../tests/helpers/embedded-host.js';

export { freePort } from '../tests/helpers/cluster.js';


/** A scratch database on DATABASE_URL's server (dropped by close), else an embedded PGlite in its own process. */
export async function benchDatabase(prefix: string): Promise<{ url: string; describe: string; close(): Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const scratch = await createScratchDatabase(process.env.DATABASE_URL, { prefix });
    return { url: scratch.url, describe: `PostgreSQL server ${new URL(scratch.url).host}`, close: scratch.drop };
  }
  const host = await startEmbeddedHost();
  return { url: host.url, describe: 'embedded PostgreSQL (PGlite, in memory, its own process)', close: host.close };
}

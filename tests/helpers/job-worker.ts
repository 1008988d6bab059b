// A job worker in its own process, for the "kill a worker mid-job" test.
// argv: <database url> <mode: hang|work>
import { openDatabase } from '../../src/db/database.js';
import { JobQueue } from '../../src/jobs/queue.js';
import { createLogger } from '../../src/logger.js';

const [url, mode] = process.argv.slice(2) as [string, string];
const db = await openDatabase({ databaseUrl: url, poolMax: 2 });
const jobs = new JobQueue(db, createLogger('silent'), { superviseIntervalSeconds: 1, monitorIntervalSeconds: 1, pollingIntervalSeconds: 0.5 });
await jobs.define<{ key: string }>({
  name: 'test.durable',
  retryLimit: 3,
  retryDelaySeconds: 1,
  expireInSeconds: 2,
  concurrency: 1,
  handler: async (data, job) => {
    await db.query(`INSERT INTO job_log (job_key, event, pid, attempt) VALUES ($1, 'started', $2, $3)`, [data.key, process.pid, job.retryCount]);
    if (mode === 'hang') await new Promise(() => {}); // dies here when the test kills us
    await db.query(`INSERT INTO job_log (job_key, event, pid, attempt) VALUES ($1, 'finished', $2, $3)`, [data.key, process.pid, job.retryCount]);
  },
});
await jobs.start();
process.send?.('ready');

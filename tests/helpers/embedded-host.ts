// Serves an in-memory embedded PostgreSQL (PGlite) from its own process, so several app processes can
// share it over the wire protocol like a server (benchmarks; the app itself opens PGlite in-process).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';

export async function startEmbeddedHost(): Promise<{ url: string; child: ChildProcess; close(): Promise<void> }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL host exited with ${code}`)));
    child.on('message', (m: { url?: string }) => m.url && resolve(m.url));
  });
  return {
    url,
    child,
    close: () =>
      new Promise<void>((r) => {
        child.removeAllListeners('exit');
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

if (process.argv.includes('--serve')) {
  const pg = await startEmbeddedPostgres();
  process.send!({ url: pg.url });
  process.once('SIGTERM', () => void pg.close().then(() => process.exit(0)));
}

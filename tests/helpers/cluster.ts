// App instances as child processes on one PostgreSQL, started through the product's own entry points
// (src/main.ts for `web`, src/worker.ts for `worker`), so a test or a bench can SIGKILL one of them.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = { web: path.join(ROOT, 'src/main.ts'), worker: path.join(ROOT, 'src/worker.ts') };

export interface InstanceProcess {
  role: 'web' | 'worker';
  child: ChildProcess;
  pid: number;
  /** http://127.0.0.1:PORT for a web process. */
  url?: string;
  /** Lines the process wrote to stderr (start-up errors, warnings). */
  stderr: string[];
  /** Its log lines (pino JSON on stdout), when started with `logs: true`. */
  stdout: string[];
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  role: 'web' | 'worker';
  /** The database every instance shares (the server, or the parent's embedded PGlite over its socket). */
  databaseUrl: string;
  /** Environment (credentials, simulator URLs, PUBLIC_BASE_URL …); DATA_DIR defaults to a temp dir. */
  env: Record<string, string>;
  /** `web` only: also run job workers in this process (default true). */
  inlineWorkers?: boolean;
  port?: number;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  nodeFlags?: string[];
  startTimeoutMs?: number;
  /** Keep the process's log lines (stdout) in `stdout`. */
  logs?: boolean;
}

export function startInstance(o: StartOptions): Promise<InstanceProcess> {
  const args = o.role === 'web' && o.inlineWorkers === false ? ['--no-workers'] : [];
  const child = fork(ENTRY[o.role], args, {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', ...(o.nodeFlags ?? [])],
    env: {
      PATH: process.env.PATH ?? '',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'wa-inst-')),
      ...o.env,
      DATABASE_URL: o.databaseUrl,
      PORT: String(o.port ?? 0),
    },
    stdio: ['ignore', o.logs ? 'pipe' : 'ignore', 'pipe', 'ipc'],
  });
  const stderr: string[] = [];
  const stdout: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (d: string) => stdout.push(...d.split('\n').filter(Boolean)));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(...d.split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code, sig) => r(code ?? (sig ? -1 : null))));
  const inst: InstanceProcess = {
    role: o.role,
    child,
    pid: child.pid!,
    stderr,
    stdout,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${o.role} did not start in time: ${stderr.slice(-5).join(' | ')}`));
    }, o.startTimeoutMs ?? 90_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${o.role} exited with ${code} before it was ready: ${stderr.slice(-5).join(' | ')}`));
    });
    child.on('message', (m: { listening?: number; working?: number }) => {
      if (m.listening === undefined && m.working === undefined) return;
      clearTimeout(timer);
      if (m.listening !== undefined) inst.url = `http://127.0.0.1:${m.listening}`;
      resolve(inst);
    });
  });
}

/** `web` processes first (the first on `firstPort`), then `worker` processes, all on one database. */
export async function startCluster(o: {
  databaseUrl: string;
  env: Record<string, string>;
  web: number;
  workers: number;
  inlineWorkers: boolean;
  firstPort?: number;
  nodeFlags?: string[];
}): Promise<InstanceProcess[]> {
  const all: InstanceProcess[] = [];
  try {
    all.push(await startInstance({ role: 'web', databaseUrl: o.databaseUrl, env: o.env, inlineWorkers: o.inlineWorkers, port: o.firstPort, nodeFlags: o.nodeFlags }));
    const rest = [
      ...Array.from({ length: o.web - 1 }, () => startInstance({ role: 'web', databaseUrl: o.databaseUrl, env: o.env, inlineWorkers: o.inlineWorkers, nodeFlags: o.nodeFlags })),
      ...Array.from({ length: o.workers }, () => startInstance({ role: 'worker', databaseUrl: o.databaseUrl, env: o.env, nodeFlags: o.nodeFlags })),
    ];
    for (const r of await Promise.allSettled(rest)) {
      if (r.status === 'fulfilled') all.push(r.value);
      else throw r.reason;
    }
    return all;
  } catch (err) {
    await Promise.all(all.map((i) => i.kill('SIGKILL')));
    throw err;
  }
}

/** A port nobody listens on now (for an instance that must be reachable at a known URL). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

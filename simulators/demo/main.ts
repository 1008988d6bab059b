// `npm run demo` (and `npm run demo -- --reset`): the whole product locally, no accounts needed.
//
// Options (flags or environment):
//   --reset                  start clean (wipes DATA_DIR/demo)
//   --data-dir=DIR           DATA_DIR (default ./data)
//   --port=N     PORT        the app (default 3000)
//   --demo-port=N DEMO_PORT  the demo page (default 4000)
//   --meta-port=N META_SIM_PORT / --hubspot-port=N HUBSPOT_SIM_PORT (default 4001 / 4002)
//   --host=H     DEMO_HOST   interface to bind (default 127.0.0.1)
import { ConfigError } from '../../src/config.js';
import { DataDirInUseError } from '../../src/db/embedded.js';
import { startDemo, type DemoOptions } from './demo.js';

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): DemoOptions {
  const flags = new Map<string, string>();
  for (const a of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a} (try --reset)`);
    flags.set(m[1], m[2] ?? 'true');
  }
  const known = ['reset', 'data-dir', 'port', 'demo-port', 'meta-port', 'hubspot-port', 'host'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k} (known: ${known.map((x) => `--${x}`).join(', ')})`);
  const port = (name: string, envName: string): number | undefined => {
    const v = flags.get(name) ?? env[envName];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} / ${envName} must be a port number, got ${v}`);
    return n;
  };
  return {
    reset: flags.get('reset') === 'true',
    dataDir: flags.get('data-dir') ?? env.DATA_DIR ?? './data',
    appPort: port('port', 'PORT'),
    demoPort: port('demo-port', 'DEMO_PORT'),
    metaPort: port('meta-port', 'META_SIM_PORT'),
    hubspotPort: port('hubspot-port', 'HUBSPOT_SIM_PORT'),
    host: flags.get('host') ?? env.DEMO_HOST ?? '127.0.0.1',
  };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2), process.env);
  const started = Date.now();
  console.log('WhatsApp for HubSpot — local demo (simulated Meta + HubSpot, embedded PostgreSQL)');
  const demo = await startDemo({ ...opts, log: (l) => console.log(l) });
  const host = (u: string) => u.replace('127.0.0.1', 'localhost');
  console.log('');
  console.log(demo.setup.ok ? `Ready in ${((Date.now() - started) / 1000).toFixed(1)} s.` : 'Started, but part of the setup failed (see ✗ above).');
  console.log('');
  console.log(`  Demo page            ${host(demo.urls.demo)}     ← open this`);
  console.log(`  App (backend)        ${host(demo.urls.app)}     health: ${host(demo.urls.app)}/health`);
  console.log(`  Install flow         ${host(demo.urls.install)}`);
  console.log(`  Meta simulator       ${host(demo.urls.meta)}`);
  console.log(`  HubSpot simulator    ${host(demo.urls.hubspot)}`);
  console.log(`  State                ${demo.dataDir}  (npm run demo -- --reset starts clean)`);
  console.log('');
  console.log('Ctrl+C stops it; the next run reuses the data.');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    demo.close().then(
      () => process.exit(0),
      (err) => {
        console.error(`shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof ConfigError || err instanceof DataDirInUseError) console.error(err.message);
  else if (e.code === 'EADDRINUSE') console.error(`Port in use: ${e.message}. Stop the other process or choose ports (--port, --demo-port, --meta-port, --hubspot-port).`);
  else console.error(`Demo failed to start: ${e.stack ?? e.message}`);
  process.exit(1);
});

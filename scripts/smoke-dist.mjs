// CI: the compiled product (dist/, what `npm start` runs in production) starts, migrates an empty
// embedded database, answers /health, and stops cleanly on SIGTERM. Needs `npm run build` first.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dataDir = mkdtempSync(path.join(tmpdir(), 'wa-dist-'));
const child = spawn(process.execPath, ['dist/main.js'], {
  env: {
    PATH: process.env.PATH ?? '',
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    HUBSPOT_CLIENT_ID: 'smoke-client',
    HUBSPOT_CLIENT_SECRET: 'smoke-hubspot-secret',
    WHATSAPP_APP_SECRET: 'smoke-meta-secret',
    WHATSAPP_VERIFY_TOKEN: 'smoke-verify',
    ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
  },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});

const fail = (why) => {
  console.error(`dist smoke test failed: ${why}`);
  child.kill('SIGKILL');
  process.exit(1);
};
const timer = setTimeout(() => fail('no listening message within 60 s'), 60_000);

child.on('exit', (code) => {
  if (!stopping) fail(`exited early with code ${code}`);
});
let stopping = false;
child.on('message', async (msg) => {
  if (!msg || typeof msg.listening !== 'number') return;
  clearTimeout(timer);
  const res = await fetch(`http://127.0.0.1:${msg.listening}/health`);
  const body = await res.text();
  if (res.status !== 200) fail(`/health answered ${res.status}: ${body}`);
  stopping = true;
  child.once('exit', (code) => {
    rmSync(dataDir, { recursive: true, force: true });
    if (code !== 0) {
      console.error(`dist smoke test failed: SIGTERM exit code ${code}`);
      process.exit(1);
    }
    console.log(`dist/main.js started, /health ${res.status} ${body}, stopped on SIGTERM`);
  });
  child.kill('SIGTERM');
});

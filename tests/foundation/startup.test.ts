import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_SECRETS } from '../helpers/config.js';

/** Runs `npm start`'s entry point in a child with only the given environment. */
function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'wa-start-')), ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const oneLine = (s: string) => s.trim().split('\n');

describe('start-up refuses bad configuration with one clear line and exit code 1', () => {
  it.each([
    ['a DATABASE_URL that is not a postgres URL', { DATABASE_URL: 'mysql://db.example/app' }, /^Invalid configuration: DATABASE_URL must be a postgres:\/\/ URL/],
    ['an unreachable DATABASE_URL', { DATABASE_URL: 'postgres://app:s3cret@127.0.0.1:1/app' }, /^Cannot connect to the database at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app: ECONNREFUSED$/],
    ['a malformed ENCRYPTION_KEY', { ENCRYPTION_KEY: 'not-a-key' }, /^Invalid configuration: ENCRYPTION_KEY must be 32 bytes encoded as base64/],
    ['a 16-byte ENCRYPTION_KEY', { ENCRYPTION_KEY: Buffer.alloc(16, 1).toString('base64') }, /^Invalid configuration: ENCRYPTION_KEY must be 32 bytes/],
    ['a malformed PORT', { PORT: 'eighty' }, /^Invalid configuration: PORT must be a port number/],
    ['a frame ancestor that is not an origin', { FRAME_ANCESTORS: "https://crm.example.com 'unsafe-inline'" }, /^Invalid configuration: FRAME_ANCESTORS must be space- or comma-separated origins/],
    // Production (issue 17): the embedded database and a clear-text public address are for development.
    [
      'production without DATABASE_URL',
      { NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://wa.example.com' },
      /^Missing configuration: DATABASE_URL is required when NODE_ENV=production/,
    ],
    [
      'production with an http:// PUBLIC_BASE_URL',
      { NODE_ENV: 'production', PUBLIC_BASE_URL: 'http://wa.example.com', DATABASE_URL: 'postgres://app:s3cret@127.0.0.1:1/app' },
      /^Invalid configuration: PUBLIC_BASE_URL must be set to an https URL when NODE_ENV=production/,
    ],
    [
      'production without PUBLIC_BASE_URL',
      { NODE_ENV: 'production', DATABASE_URL: 'postgres://app:s3cret@127.0.0.1:1/app' },
      /^Invalid configuration: PUBLIC_BASE_URL must be set to an https URL when NODE_ENV=production/,
    ],
  ])('%s', async (_name, env, line) => {
    const r = await start({ ...TEST_SECRETS, ...env });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(line);
    expect(r.stderr).not.toContain('s3cret');
  });

  it('names every missing HubSpot and Meta credential', async () => {
    const r = await start({ HUBSPOT_CLIENT_ID: 'id', WHATSAPP_VERIFY_TOKEN: 'v' });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^Missing configuration: HUBSPOT_CLIENT_SECRET, WHATSAPP_APP_SECRET must be set/);
  });

  it('requires ENCRYPTION_KEY in production', async () => {
    const { ENCRYPTION_KEY: _omit, ...rest } = TEST_SECRETS;
    const r = await start({ ...rest, NODE_ENV: 'production' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Missing configuration: ENCRYPTION_KEY is required when NODE_ENV=production (32 bytes, base64)');
  });
});

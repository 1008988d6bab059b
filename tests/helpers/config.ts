import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';

export const TEST_SECRETS = {
  HUBSPOT_CLIENT_ID: 'test-client-id',
  HUBSPOT_CLIENT_SECRET: 'test-hubspot-client-secret',
  WHATSAPP_APP_SECRET: 'test-meta-app-secret',
  WHATSAPP_VERIFY_TOKEN: 'test-verify-token',
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

/** A complete test configuration; `env` overrides any variable. DATA_DIR is a fresh temp dir. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'wa-hs-')),
    PUBLIC_BASE_URL: 'https://app.example.test',
    ...TEST_SECRETS,
    ...env,
  });
}

// The local extension host behaves like HubSpot's sandbox: a scratch copy of the real card that
// touches `document` shows a visible error instead of a card. Headless Chromium (playwright-core).
//   node --import tsx tests/browser/extension-host.browser.ts
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { chromium } from 'playwright-core';
import type { HubSpotSimulator } from '../../simulators/hubspot/index.js';
import { createExtensionHost } from '../../simulators/extension-host/server.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

async function main(): Promise<number> {
  // Inside the repo (git-ignored .scratch/) so the bundle resolves node_modules like the real one.
  mkdirSync(path.join(ROOT, '.scratch'), { recursive: true });
  const scratch = mkdtempSync(path.join(ROOT, '.scratch', 'ext-host-'));
  cpSync(path.join(ROOT, 'extensions'), scratch, { recursive: true });
  const view = path.join(scratch, 'app', 'cards', 'WhatsAppCardView.tsx');
  const src = readFileSync(view, 'utf8').replace('const baseUrl = context.variables?.apiBaseUrl;', "document.createElement('div');\n  const baseUrl = context.variables?.apiBaseUrl;");
  if (!src.includes("document.createElement('div')")) throw new Error('could not patch the scratch card');
  writeFileSync(view, src);
  const host = await createExtensionHost({ hubspot: {} as HubSpotSimulator, apiBaseUrl: 'http://127.0.0.1:9', knownUser: () => true, extensionsRoot: scratch });
  const app = express();
  app.use('/extension-host', host.router);
  app.get('/', (_req, res) => void res.type('html').send('<!doctype html><div id="c"></div><script src="/extension-host/host.js"></script><script>HubSpotExtensionHost.mount(document.getElementById("c"), { uid: "whatsapp_contact_card", context: { portal: { id: 1 }, user: { id: 2 }, crm: { objectId: 3 }, variables: { apiBaseUrl: "http://127.0.0.1:9" } } });</script>'));
  const server = createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  let failed = 0;
  try {
    const p = await browser.newPage();
    await p.goto(url);
    const err = p.locator('[data-testid="extension-error"]');
    await err.first().waitFor({ timeout: 20_000 });
    const text = await err.first().innerText();
    if (!/document is not defined/.test(text)) throw new Error(`the error box says "${text}"`);
    if ((await p.locator('[data-testid="whatsapp-card"]').count()) !== 0) throw new Error('the card was drawn anyway');
    console.log(`  ✓ a card touching document fails visibly: ${text.replace(/\s+/g, ' ')}`);
  } catch (e) {
    failed = 1;
    console.log(`  ✗ ${(e as Error).message}`);
  } finally {
    await browser.close();
    server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`extension-host: ${1 - failed} passed, ${failed} failed`);
  return failed;
}

main().then((c) => process.exit(c), (e) => (console.error(e), process.exit(1)));

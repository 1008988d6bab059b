// The local extension host behaves like HubSpot's: it bundles the card from its source at start, so
// an edited text in a scratch copy of the real card is what the page shows; and it runs the bundle in
// a sandbox, so a scratch copy that touches `document` shows a visible error instead of a card; a
// component it cannot draw shows an error box naming it.
// Headless Chromium (playwright-core).
//   node --import tsx tests/browser/extension-host.browser.ts
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HubSpotSimulator } from '../../simulators/hubspot/index.js';
import { createExtensionHost } from '../../simulators/extension-host/server.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

interface Case {
  name: string;
  /** Edits the scratch copy's card view source. */
  patch: (src: string) => string;
  check: (p: Page) => Promise<string>;
}

const cases: Case[] = [
  {
    name: 'an edited text in the card source is what the host draws',
    patch: (src) => src.replace(`title="Couldn't load the WhatsApp conversation"`, 'title="Scratch copy 7421 could not load"'),
    check: async (p) => {
      const el = p.locator('[data-hs-component="ErrorState"]', { hasText: 'Scratch copy 7421 could not load' });
      await el.first().waitFor({ timeout: 20_000 });
      return 'ErrorState shows "Scratch copy 7421 could not load"';
    },
  },
  {
    name: 'a card touching document fails visibly',
    patch: (src) => src.replace('const baseUrl = context.variables?.apiBaseUrl;', "document.createElement('div');\n  const baseUrl = context.variables?.apiBaseUrl;"),
    check: async (p) => {
      const err = p.locator('[data-testid="extension-error"]');
      await err.first().waitFor({ timeout: 20_000 });
      const text = await err.first().innerText();
      if (!/document is not defined/.test(text)) throw new Error(`the error box says "${text}"`);
      if ((await p.locator('[data-testid="whatsapp-card"]').count()) !== 0) throw new Error('the card was drawn anyway');
      return text.replace(/\s+/g, ' ');
    },
  },
  {
    name: 'a component the host does not know shows a visible error box naming it',
    patch: (src) =>
      src
        .replace("import { useEffect, useMemo, useState } from 'react';", "import { useEffect, useMemo, useState } from 'react';\nimport { createRemoteReactComponent } from '@remote-ui/react';\nconst Sparkline = createRemoteReactComponent<'Sparkline', Record<string, never>>('Sparkline');")
        .replace("<Text>{message ?? 'Something went wrong.'}</Text>", "<Sparkline />\n      <Text>{message ?? 'Something went wrong.'}</Text>"),
    check: async (p) => {
      const box = p.locator('[data-testid="unknown-component"]');
      await box.first().waitFor({ timeout: 20_000 });
      const text = (await box.first().innerText()).replace(/\s+/g, ' ');
      if (!text.includes('Sparkline')) throw new Error(`the box says "${text}"`);
      // the rest of the card is still drawn around it
      await p.locator('[data-hs-component="ErrorState"]').first().waitFor({ timeout: 5_000 });
      return text;
    },
  },
];

async function runCase(browser: Browser, c: Case): Promise<void> {
  // Inside the repo (git-ignored .scratch/) so the bundle resolves node_modules like the real one.
  mkdirSync(path.join(ROOT, '.scratch'), { recursive: true });
  const scratch = mkdtempSync(path.join(ROOT, '.scratch', 'ext-host-'));
  const server = createServer();
  try {
    cpSync(path.join(ROOT, 'extensions'), scratch, { recursive: true });
    const view = path.join(scratch, 'app', 'cards', 'WhatsAppCardView.tsx');
    const before = readFileSync(view, 'utf8');
    const after = c.patch(before);
    if (after === before) throw new Error('could not patch the scratch card');
    writeFileSync(view, after);
    const host = await createExtensionHost({ hubspot: {} as HubSpotSimulator, apiBaseUrl: 'http://127.0.0.1:9', knownUser: () => true, extensionsRoot: scratch });
    const app = express();
    app.use('/extension-host', host.router);
    app.get('/', (_req, res) => void res.type('html').send('<!doctype html><div id="c"></div><script src="/extension-host/host.js"></script><script>HubSpotExtensionHost.mount(document.getElementById("c"), { uid: "whatsapp_contact_card", context: { portal: { id: 1 }, user: { id: 2 }, crm: { objectId: 3 }, variables: { apiBaseUrl: "http://127.0.0.1:9" } } });</script>'));
    server.on('request', app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const p = await browser.newPage();
    await p.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    console.log(`  ✓ ${c.name}: ${await c.check(p)}`);
    await p.close();
  } finally {
    server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  let failed = 0;
  try {
    for (const c of cases) {
      await runCase(browser, c).catch((e) => {
        failed++;
        console.log(`  ✗ ${c.name}: ${(e as Error).message}`);
      });
    }
  } finally {
    await browser.close();
  }
  console.log(`extension-host: ${cases.length - failed} passed, ${failed} failed`);
  return failed;
}

main().then((c) => process.exit(c), (e) => (console.error(e), process.exit(1)));

// Regenerates docs/demo.png: a fresh demo on free ports, a short conversation, one screenshot.
//   node --import tsx simulators/demo/screenshot.ts [out.png]      (needs /usr/bin/chromium)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startDemo } from './demo.js';

const out = path.resolve(process.argv[2] ?? 'docs/demo.png');
const dataDir = mkdtempSync(path.join(tmpdir(), 'wa-hs-shot-'));
const demo = await startDemo({ dataDir, reset: true, appPort: 0, demoPort: 0, metaPort: 0, hubspotPort: 0, logLevel: 'error', statusDelayMs: 150 });
if (!demo.setup.ok) throw new Error(`demo setup failed: ${JSON.stringify(demo.setup.steps.filter((s) => !s.ok))}`);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const p = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const t = (id: string) => `[data-testid="${id}"]`;
  const readReply = (text: string) =>
    p.locator(`${t('phone-msg')}[data-from="business"]`, { hasText: text }).locator(`${t('tick')}[data-status="read"]`).waitFor({ timeout: 20_000 });
  await p.goto(`${demo.urls.demo}/?customer=573001234567&user=2001`);
  await p.locator(`${t('setup-status')}[data-state="ready"]`).waitFor();
  await p.fill(t('phone-input'), 'Hola, quiero saber el estado de mi pedido #4821');
  await p.click(t('phone-send'));
  await p.locator(`${t('phone-button')}[data-title="Acepto"]`).click({ timeout: 20_000 });
  await p.locator(`${t('panel-assignee')}:not([data-user-id=""])`).waitFor({ timeout: 20_000 });
  const uid = await p.locator(t('panel-assignee')).getAttribute('data-user-id');
  await p.click(t(`agent-${uid}`));
  await p.locator(`${t('panel-assignee')}[data-user-id="${uid}"]`).waitFor();
  await p.fill(t('panel-reply-input'), '¡Hola María! 👋 Ya reviso tu pedido. ¿Me confirmas si llegó en buen estado?');
  await p.click(t('panel-reply-send'));
  await readReply('Ya reviso');
  await p.click(t('phone-attach'));
  await p.click(t('phone-send-image'));
  await p.locator(`${t('panel-msg')}[data-type="image"] img`).waitFor({ timeout: 20_000 });
  await p.fill(t('panel-reply-input'), 'Gracias por la foto. Te enviamos un reemplazo hoy mismo y llega el viernes 14. 📦');
  await p.click(t('panel-reply-send'));
  await readReply('reemplazo');
  await p.waitForTimeout(2500); // timeline logging and the last poll
  await p.mouse.move(2, 2);
  await p.screenshot({ path: out });
  console.log(`saved ${out}`);
} finally {
  await browser.close();
  await demo.close();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);

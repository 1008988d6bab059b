// The demo's story in a real browser (Debian's Chromium, headless, through playwright-core):
// a customer writes, accepts the consent prompt, an agent replies, the customer sees the reply with
// read ticks, the timeline shows both messages, the agent resolves with a label.
//
//   node --import tsx tests/browser/demo.browser.ts      (npm run test:browser)
//
// The demo runs in this process on free ports with a fresh DATA_DIR. Screenshots of every step go
// to artifacts/screenshots/; the last line is `browser: N passed, M failed`, and
// artifacts/browser.json holds {"numPassedTests":N,"numFailedTests":M} for CI.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemo, type RunningDemo } from '../../simulators/demo/demo.js';
import { DEMO_PORTAL } from '../../simulators/demo/fixtures.js';
import { sampleInvoicePdf } from '../../simulators/demo/samples.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const SHOTS = path.join(ROOT, 'artifacts', 'screenshots');
const REPORT = path.join(ROOT, 'artifacts', 'browser.json');
const STEP_TIMEOUT = Number(process.env.BROWSER_STEP_TIMEOUT_MS ?? 25_000);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CUSTOMER = { waId: '573001234567', name: 'María' };
const CUSTOMER_TEXT = 'Hola, quiero saber el estado de mi pedido #4821';
const REPLY_TEXT = '¡Hola María! Tu pedido #4821 sale hoy y llega el viernes.';
const ACCEPT = /acept|accept|autoriz|^s[ií]\b|yes|agree|de acuerdo/i;
const DECLINE = /^no\b|\bno acept|declin|reject|rechaz|not\b/i;

interface Step {
  name: string;
  shot?: string;
  run: () => Promise<void>;
}

let demo: RunningDemo | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
const pageProblems: string[] = [];
let assignedUserId = '';

const tid = (id: string) => `[data-testid="${id}"]`;
/** The card area: drawn by the local extension host from the real card bundle. */
const CARD = '[data-testid="card-host"] [data-extension]';
const USERS: Record<string, string> = { 'Ana Pérez': '2001', 'Carlos Ruiz': '2002', 'Sofía Martínez': '2003' };
const ATTACHMENT = path.join(ROOT, 'artifacts', 'factura-4821.pdf');

async function waitFor(what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    throw new Error(`${what} did not happen within ${STEP_TIMEOUT / 1000} s (${msg})`);
  }
}

/** What the page shows right now, to explain a failure. */
async function pageState(p: Page): Promise<string> {
  const text = async (sel: string) => ((await p.locator(sel).first().textContent({ timeout: 1000 }).catch(() => null)) ?? '').replace(/\s+/g, ' ').trim();
  const parts = [
    `setup: ${await text(tid('setup-status'))}`,
    `card status: ${await text(CARD + ' ' + tid('status-tag'))}`,
    `assignee: ${await text(CARD + ' ' + tid('assignee'))}`,
    `extension error: ${await text(tid('extension-error'))}`,
    `card: ${(await text(tid('card-host'))).slice(0, 200)}`,
    `phone: ${(await text(tid('phone-messages'))).slice(-300)}`,
  ];
  return parts.filter((x) => !x.endsWith(': ')).join(' | ');
}

const steps: Step[] = [
  {
    name: 'the demo starts: install through OAuth, number, templates, agents, settings',
    run: async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'wa-hs-demo-'));
      demo = await startDemo({
        dataDir,
        reset: true,
        appPort: 0,
        demoPort: 0,
        metaPort: 0,
        hubspotPort: 0,
        logLevel: process.env.LOG_LEVEL ?? 'error',
        statusDelayMs: 150,
      });
      const failed = demo.setup.steps.filter((s) => !s.ok);
      if (failed.length) throw new Error(`setup failed: ${failed.map((s) => `${s.name}: ${s.detail}`).join('; ')}`);
    },
  },
  {
    name: 'the demo page loads in Chromium',
    shot: '00-demo-page',
    run: async () => {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
      });
      page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      page.on('pageerror', (e) => pageProblems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') pageProblems.push(`console: ${m.text()}`);
      });
      await page.goto(`${demo!.urls.demo}/?customer=${CUSTOMER.waId}&user=2001`);
      await waitFor('the setup status "ready"', () => page!.locator(`${tid('setup-status')}[data-state="ready"]`).waitFor({ timeout: STEP_TIMEOUT }));
      await page.locator(tid(`customer-${CUSTOMER.waId}`)).click();
      await waitFor(`the contact record of ${CUSTOMER.name}`, () => page!.locator(tid('contact-name'), { hasText: CUSTOMER.name }).waitFor({ timeout: STEP_TIMEOUT }));
    },
  },
  {
    name: 'a customer writes on WhatsApp',
    shot: '01-customer-writes',
    run: async () => {
      const p = page!;
      await p.locator(tid('phone-input')).fill(CUSTOMER_TEXT);
      await p.locator(tid('phone-send')).click();
      await waitFor('the message on the phone', () =>
        p.locator(`${tid('phone-msg')}[data-from="customer"]`, { hasText: CUSTOMER_TEXT }).waitFor({ timeout: STEP_TIMEOUT }),
      );
    },
  },
  {
    name: 'the consent prompt appears on the phone',
    shot: '02-consent-prompt',
    run: async () => {
      await waitFor("the bot's consent prompt with buttons", () =>
        page!.locator(`${tid('phone-msg')}[data-from="business"] ${tid('phone-button')}`).first().waitFor({ timeout: STEP_TIMEOUT }),
      );
    },
  },
  {
    name: 'the customer taps accept',
    shot: '03-consent-accepted',
    run: async () => {
      const p = page!;
      const buttons = p.locator(`${tid('phone-msg')}[data-from="business"] ${tid('phone-button')}:not([disabled])`);
      const titles: string[] = [];
      for (let k = 0; k < (await buttons.count()); k++) titles.push((await buttons.nth(k).getAttribute('data-title')) ?? '');
      const i = titles.findIndex((t) => ACCEPT.test(t) && !DECLINE.test(t));
      if (i < 0) throw new Error(`no accept button among ${JSON.stringify(titles)}`);
      await buttons.nth(i).click();
      await waitFor('the tap on the phone', () =>
        p.locator(`${tid('phone-msg')}[data-from="customer"][data-type="button"]`).first().waitFor({ timeout: STEP_TIMEOUT }),
      );
    },
  },
  {
    name: 'the real card shows the conversation open and assigned (round-robin)',
    shot: '04-assigned',
    run: async () => {
      const p = page!;
      for (const c of ['Button', 'Text', 'TextArea']) {
        await waitFor(`a ${c} drawn from the card bundle`, () => p.locator(`${CARD} [data-hs-component="${c}"]`).first().waitFor({ timeout: STEP_TIMEOUT }));
      }
      await waitFor('status "Open" on the card', () => p.locator(`${CARD} ${tid('status-tag')}`, { hasText: /^Open/ }).waitFor({ timeout: STEP_TIMEOUT }));
      await waitFor('an assignee on the card', () => p.locator(`${CARD} ${tid('assignee')}`, { hasText: /Pérez|Ruiz|Martínez/ }).waitFor({ timeout: STEP_TIMEOUT }));
      const name = ((await p.locator(`${CARD} ${tid('assignee')}`).textContent()) ?? '').trim();
      assignedUserId = USERS[name] ?? '';
      if (!assignedUserId) throw new Error(`unknown assignee "${name}"`);
      await p.locator(tid(`agent-${assignedUserId}`)).click();
      await waitFor('the card for the assigned agent', () => p.locator(`${CARD} [data-testid^="message-"]`, { hasText: CUSTOMER_TEXT }).first().waitFor({ timeout: STEP_TIMEOUT }));
    },
  },
  {
    name: 'the agent replies from the real card',
    run: async () => {
      const p = page!;
      await p.locator(`${CARD} ${tid('reply-input')} textarea`).fill(REPLY_TEXT);
      await waitFor('Send enabled', () => p.locator(`${CARD} button${tid('send-reply')}:not([disabled])`).waitFor({ timeout: STEP_TIMEOUT }));
      await p.locator(`${CARD} ${tid('send-reply')}`).click();
      await waitFor('the reply in the card thread', () => p.locator(`${CARD} [data-testid^="message-text-"]`, { hasText: REPLY_TEXT }).waitFor({ timeout: STEP_TIMEOUT }));
    },
  },
  {
    name: 'the customer sees the reply with blue read ticks, and the card says Read',
    shot: '05-reply-read',
    run: async () => {
      const p = page!;
      const bubble = p.locator(`${tid('phone-msg')}[data-from="business"]`, { hasText: REPLY_TEXT });
      await waitFor('the reply on the phone', () => bubble.waitFor({ timeout: STEP_TIMEOUT }));
      await waitFor('blue ticks (read) on the phone', () => bubble.locator(`${tid('tick')}[data-status="read"]`).waitFor({ timeout: STEP_TIMEOUT }));
      const cardMsg = p.locator(`${CARD} [data-hs-component="Flex"][data-testid^="message-"]`, { hasText: REPLY_TEXT });
      await waitFor('"Read" on the card', () => cardMsg.locator('[data-testid^="delivery-"]', { hasText: 'Read' }).waitFor({ timeout: STEP_TIMEOUT }));
    },
  },
  {
    name: "the contact's timeline shows both messages",
    shot: '06-timeline',
    run: async () => {
      const p = page!;
      await waitFor("the customer's message on the timeline", () => p.locator(tid('timeline-item'), { hasText: CUSTOMER_TEXT }).first().waitFor({ timeout: STEP_TIMEOUT }));
      await waitFor("the agent's reply on the timeline", () => p.locator(tid('timeline-item'), { hasText: REPLY_TEXT }).first().waitFor({ timeout: STEP_TIMEOUT }));
    },
  },
  {
    name: 'the agent sends a PDF through the iframe upload page',
    shot: '07-attachment',
    run: async () => {
      const p = page!;
      writeFileSync(ATTACHMENT, sampleInvoicePdf('María González'));
      await p.locator(`${CARD} ${tid('attach-file')}`).click();
      await waitFor('the iframe modal', () => p.locator(tid('iframe-modal')).waitFor({ timeout: STEP_TIMEOUT }));
      const frame = p.frameLocator(`${tid('iframe-modal')} iframe`);
      await frame.locator(tid('upload-file')).setInputFiles(ATTACHMENT);
      await frame.locator(tid('upload-caption')).fill('Tu factura');
      await frame.locator(tid('upload-send')).click();
      await waitFor('the modal closes', () => p.locator(tid('iframe-modal')).waitFor({ state: 'detached', timeout: STEP_TIMEOUT }));
      await waitFor('the attachment in the card thread', () => p.locator(`${CARD} [data-testid^="media-"]`).first().waitFor({ timeout: STEP_TIMEOUT }));
      await waitFor('the document on the phone', () => p.locator(`${tid('phone-msg')}[data-from="business"][data-type="document"]`).first().waitFor({ timeout: STEP_TIMEOUT }));
    },
  },
  {
    name: 'the agent transfers to another agent; the customer gets the automatic message',
    shot: '08-transfer',
    run: async () => {
      const p = page!;
      await p.locator(`${CARD} ${tid('transfer')}`).click();
      const select = p.locator(`${CARD} ${tid('agent-select')} select`);
      await waitFor('the agent list', () => select.locator('option[value]:not([value=""])').first().waitFor({ state: 'attached', timeout: STEP_TIMEOUT }));
      const value = await select.locator('option[value]:not([value=""])').first().getAttribute('value');
      const to = ((await select.locator(`option[value="${value}"]`).textContent()) ?? '').replace(/ \(.*\)$/, '');
      await select.selectOption(value!);
      await waitFor('Transfer enabled', () => p.locator(`${CARD} button${tid('confirm-transfer')}:not([disabled])`).waitFor({ timeout: STEP_TIMEOUT }));
      await p.locator(`${CARD} ${tid('confirm-transfer')}`).click();
      await waitFor(`the new assignee ${to}`, () => p.locator(`${CARD} ${tid('assignee')}`, { hasText: to }).waitFor({ timeout: STEP_TIMEOUT }));
      await waitFor('the handover message on the phone', () => p.locator(`${tid('phone-msg')}[data-from="business"]`, { hasText: to.split(' ')[0] }).last().waitFor({ timeout: STEP_TIMEOUT }));
      assignedUserId = USERS[to] ?? assignedUserId;
      await p.locator(tid(`agent-${assignedUserId}`)).click();
      await waitFor('the card for the new agent', () => p.locator(`${CARD} ${tid('resolve')}`).waitFor({ timeout: STEP_TIMEOUT }));
    },
  },
  {
    name: 'the agent resolves the conversation with a label',
    shot: '09-resolved',
    run: async () => {
      const p = page!;
      await p.locator(`${CARD} ${tid('resolve')}`).click();
      const select = p.locator(`${CARD} ${tid('resolution-label')} select`);
      await waitFor('the label list', () => select.locator('option[value]:not([value=""])').first().waitFor({ state: 'attached', timeout: STEP_TIMEOUT }));
      const label = (await select.locator('option[value]:not([value=""])').first().getAttribute('value'))!;
      await select.selectOption(label);
      await waitFor('Resolve enabled', () => p.locator(`${CARD} button${tid('confirm-resolve')}:not([disabled])`).waitFor({ timeout: STEP_TIMEOUT }));
      await p.locator(`${CARD} ${tid('confirm-resolve')}`).click();
      await waitFor(`status "Resolved · ${label}" on the card`, () => p.locator(`${CARD} ${tid('status-tag')}`, { hasText: `Resolved · ${label}` }).waitFor({ timeout: STEP_TIMEOUT }));
    },
  },
  {
    name: 'an admin opens the real settings page (drawn from its bundle, no extension error)',
    shot: '10-settings',
    run: async () => {
      const p = page!;
      await p.locator(tid('agent-1001')).click().catch(async () => p.locator('[data-testid^="agent-"]').last().click());
      await p.locator(tid('view-whatsapp_settings')).click();
      const host = p.locator(tid('app-view-host'));
      await waitFor('the settings page drawn from its bundle', () => host.locator('[data-hs-component]').first().waitFor({ timeout: STEP_TIMEOUT }));
      await waitFor('no extension error', async () => {
        if (await p.locator(tid('extension-error')).count()) throw new Error(await p.locator(tid('extension-error')).first().innerText());
      });
    },
  },
  {
    name: 'the admin switches routing to the contact owner on the real settings page and saves',
    shot: '11-routing-changed',
    run: async () => {
      const p = page!;
      const host = p.locator(tid('app-view-host'));
      await host.getByRole('tab', { name: 'Routing' }).click();
      const method = host.locator(`${tid('routing-method')} select`);
      await waitFor('the routing method select', () => method.waitFor({ timeout: STEP_TIMEOUT }));
      await method.selectOption('contact_owner');
      await waitFor('Save enabled', () => host.locator(`button${tid('save-settings')}:not([disabled])`).waitFor({ timeout: STEP_TIMEOUT }));
      await host.locator(tid('save-settings')).click();
      await waitFor('"Settings saved"', () => host.locator(tid('settings-result'), { hasText: 'Settings saved' }).waitFor({ timeout: STEP_TIMEOUT }));
      const stored = await demo!.runtime.services.settings.get(DEMO_PORTAL.portalId);
      if (stored.routing.method !== 'contact_owner') throw new Error(`stored routing method is ${stored.routing.method}`);
    },
  },
  {
    name: 'the next customer is routed to their HubSpot contact owner',
    shot: '12-routed-to-owner',
    run: async () => {
      const p = page!;
      const john = { waId: '14155550142', owner: 'Carlos Ruiz', text: 'Hi! Can I change the delivery address of my order?' };
      await p.locator(tid('view-record')).click();
      await p.locator(tid(`customer-${john.waId}`)).click();
      await waitFor('the contact record of John', () => p.locator(tid('contact-name'), { hasText: 'John' }).waitFor({ timeout: STEP_TIMEOUT }));
      await p.locator(tid('phone-input')).fill(john.text);
      await p.locator(tid('phone-send')).click();
      const buttons = p.locator(`${tid('phone-msg')}[data-from="business"] ${tid('phone-button')}:not([disabled])`);
      await waitFor("the bot's consent prompt", () => buttons.first().waitFor({ timeout: STEP_TIMEOUT }));
      const titles: string[] = [];
      for (let k = 0; k < (await buttons.count()); k++) titles.push((await buttons.nth(k).getAttribute('data-title')) ?? '');
      const i = titles.findIndex((t) => ACCEPT.test(t) && !DECLINE.test(t));
      if (i < 0) throw new Error(`no accept button among ${JSON.stringify(titles)}`);
      await buttons.nth(i).click();
      await p.locator(tid(`agent-${USERS[john.owner]}`)).click();
      await waitFor(`${john.owner} (the owner) on the card`, () => p.locator(`${CARD} ${tid('assignee')}`, { hasText: john.owner }).waitFor({ timeout: STEP_TIMEOUT }));
      // The owner by the rule, not by a round-robin turn: the assignment records its method.
      const r = await demo!.runtime.ctx.db.query<{ method: string }>(
        `SELECT e.detail->>'method' AS method FROM conversation_events e JOIN conversations c ON c.id = e.conversation_id
         JOIN contacts ct ON ct.id = c.contact_id WHERE ct.wa_id = $1 AND e.kind = 'assigned' ORDER BY e.id DESC LIMIT 1`,
        [john.waId],
      );
      if (r.rows[0]?.method !== 'contact_owner') throw new Error(`assigned by ${r.rows[0]?.method ?? 'nothing'}, not contact_owner`);
    },
  },
  {
    name: "a manager opens the real app pages: the dashboard's figures, then Campaigns through the page's own menu",
    shot: '13-app-pages',
    run: async () => {
      const p = page!;
      await p.locator(tid('agent-1001')).click().catch(async () => p.locator('[data-testid^="agent-"]').last().click());
      await p.locator(tid('view-whatsapp_pages')).click();
      const host = p.locator(tid('app-view-host'));
      await waitFor('the dashboard totals (Statistics) drawn from the pages bundle', () =>
        host.locator(`[data-hs-component="Statistics"]${tid('totals')}`).waitFor({ timeout: STEP_TIMEOUT }),
      );
      await waitFor('the per-agent table', () => host.locator(`[data-hs-component="Table"]${tid('per-agent-table')}`).waitFor({ timeout: STEP_TIMEOUT }));
      // The page's own menu (PageLink) leads to the campaigns page, in the same worker.
      await host.locator(`[data-hs-component="PageLink"]${tid('menu-campaigns')}`).click();
      await waitFor('the campaigns page', () => host.locator(`${tid('campaigns-view')}, ${tid('campaigns-no-number')}`).first().waitFor({ timeout: STEP_TIMEOUT }));
      await waitFor('no extension error and no component the host cannot draw', async () => {
        if (await p.locator(tid('extension-error')).count()) throw new Error(await p.locator(tid('extension-error')).first().innerText());
        if (await host.locator(tid('unknown-component')).count()) throw new Error(await host.locator(tid('unknown-component')).first().innerText());
      });
    },
  },
];

async function main(): Promise<number> {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(path.dirname(ATTACHMENT), { recursive: true });
  let passed = 0;
  let failed = 0;
  let broken = false;
  for (const [i, step] of steps.entries()) {
    const label = `${String(i + 1).padStart(2, ' ')}. ${step.name}`;
    if (broken) {
      failed++;
      console.log(`  - ${label} (not run: an earlier step failed)`);
      continue;
    }
    const started = Date.now();
    try {
      await step.run();
      if (step.shot && page) {
        await page.mouse.move(2, 2); // no hover effect in the picture
        await page.screenshot({ path: path.join(SHOTS, `${step.shot}.png`) });
      }
      passed++;
      console.log(`  ✓ ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (err) {
      failed++;
      broken = true;
      console.log(`  ✗ ${label}\n      ${(err as Error).message}`);
      if (page) {
        console.log(`      page: ${await pageState(page)}`);
        await page.screenshot({ path: path.join(SHOTS, `failed-${String(i + 1).padStart(2, '0')}.png`) }).catch(() => undefined);
      }
      for (const line of pageProblems.slice(-5)) console.log(`      ${line}`);
    }
  }
  await browser?.close().catch(() => undefined);
  await demo?.close().catch(() => undefined);
  if (demo) rmSync(path.dirname(demo.dataDir), { recursive: true, force: true });
  mkdirSync(path.dirname(REPORT), { recursive: true });
  writeFileSync(REPORT, JSON.stringify({ numPassedTests: passed, numFailedTests: failed }) + '\n');
  console.log(`screenshots: ${path.relative(ROOT, SHOTS)}/`);
  console.log(`browser: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    writeFileSync(REPORT, JSON.stringify({ numPassedTests: 0, numFailedTests: steps.length }) + '\n');
    console.log(`browser: 0 passed, ${steps.length} failed`);
    process.exit(1);
  },
);

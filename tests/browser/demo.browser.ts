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
    `panel status: ${await text(tid('panel-status'))}`,
    `assignee: ${await text(tid('panel-assignee'))}`,
    `panel error: ${await text(tid('panel-error'))}`,
    `card: ${await text(tid('panel-empty'))}`,
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
    name: 'the agent panel shows the conversation open and assigned (round-robin)',
    shot: '04-assigned',
    run: async () => {
      const p = page!;
      await waitFor('status "open" on the card', () => p.locator(`${tid('panel-status')}[data-status="open"]`).waitFor({ timeout: STEP_TIMEOUT }));
      await waitFor('an assignee on the card', () => p.locator(`${tid('panel-assignee')}:not([data-user-id=""])`).waitFor({ timeout: STEP_TIMEOUT }));
      assignedUserId = (await p.locator(tid('panel-assignee')).getAttribute('data-user-id')) ?? '';
      // Switch to the assigned agent: one click.
      await p.locator(tid(`agent-${assignedUserId}`)).click();
      await waitFor('the card for the assigned agent', () => p.locator(`${tid('panel-assignee')}[data-user-id="${assignedUserId}"]`).waitFor({ timeout: STEP_TIMEOUT }));
      await waitFor('the customer message in the card thread', () =>
        p.locator(`${tid('panel-msg')}[data-direction="in"]`, { hasText: CUSTOMER_TEXT }).waitFor({ timeout: STEP_TIMEOUT }),
      );
    },
  },
  {
    name: 'the agent replies from the card',
    run: async () => {
      const p = page!;
      await p.locator(tid('panel-reply-input')).fill(REPLY_TEXT);
      await p.locator(tid('panel-reply-send')).click();
      await waitFor('the reply in the card thread', () =>
        p.locator(`${tid('panel-msg')}[data-direction="out"]`, { hasText: REPLY_TEXT }).waitFor({ timeout: STEP_TIMEOUT }),
      );
    },
  },
  {
    name: 'the customer sees the reply with blue read ticks',
    shot: '05-reply-read',
    run: async () => {
      const p = page!;
      const bubble = p.locator(`${tid('phone-msg')}[data-from="business"]`, { hasText: REPLY_TEXT });
      await waitFor('the reply on the phone', () => bubble.waitFor({ timeout: STEP_TIMEOUT }));
      await waitFor('blue ticks (read) on the phone', () => bubble.locator(`${tid('tick')}[data-status="read"]`).waitFor({ timeout: STEP_TIMEOUT }));
      await waitFor('read ticks on the card', () =>
        p.locator(`${tid('panel-msg')}[data-direction="out"]`, { hasText: REPLY_TEXT }).locator(`${tid('tick')}[data-status="read"]`).waitFor({ timeout: STEP_TIMEOUT }),
      );
    },
  },
  {
    name: "the contact's timeline shows both messages",
    shot: '06-timeline',
    run: async () => {
      const p = page!;
      await waitFor("the customer's message on the timeline", () =>
        p.locator(tid('timeline-item'), { hasText: CUSTOMER_TEXT }).first().waitFor({ timeout: STEP_TIMEOUT }),
      );
      await waitFor("the agent's reply on the timeline", () => p.locator(tid('timeline-item'), { hasText: REPLY_TEXT }).first().waitFor({ timeout: STEP_TIMEOUT }));
    },
  },
  {
    name: 'the agent resolves the conversation with a label',
    shot: '07-resolved',
    run: async () => {
      const p = page!;
      const select = p.locator(tid('panel-resolve-label'));
      const options = select.locator('option');
      const labels: string[] = [];
      for (let k = 0; k < (await options.count()); k++) {
        const v = await options.nth(k).getAttribute('value');
        if (v) labels.push(v);
      }
      if (!labels.length) throw new Error('no resolution labels in the card');
      await select.selectOption(labels[0]);
      await p.locator(tid('panel-resolve')).click();
      await waitFor('status "resolved" on the card', () => p.locator(`${tid('panel-status')}[data-status="resolved"]`).waitFor({ timeout: STEP_TIMEOUT }));
      const status = (await p.locator(tid('panel-status')).textContent()) ?? '';
      if (!status.includes(labels[0])) throw new Error(`the card shows "${status}" instead of the label "${labels[0]}"`);
    },
  },
];

async function main(): Promise<number> {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
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

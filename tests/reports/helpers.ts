import type { Clock } from '../../src/clock.js';
import { testDatabase } from '../helpers/db.js';
import { startTestRuntime } from '../helpers/runtime.js';
import { FakeSeams, type Harness } from '../conversations/helpers.js';

export interface ReportsHarness extends Harness {
  notices: { portalId: number; subject: string; body: string }[];
}

/**
 * The conversations domain with fakes at the WhatsApp/HubSpot seams (as its own tests use), plus
 * this reports and plans domains (a fake admin notifier). Workers off: nothing runs behind
 * the scripted clock's back.
 */
export async function startReportsHarness(o: { clock: Clock; env?: Record<string, string> }): Promise<ReportsHarness> {
  const notices: ReportsHarness['notices'] = [];
  const db = await testDatabase();
  const fakes = new FakeSeams(db, o.clock);
  const rt = await startTestRuntime({
    db,
    ownsDb: true,
    clock: o.clock,
    env: o.env,
    work: false,
    domains: {
      whatsapp: false,
      hubspot: false,
      conversations: { seams: { sender: fakes, directory: fakes, tasks: fakes, consent: fakes } },
      plans: { notifier: { notifyAdmin: async (n) => void notices.push(n) } },
    },
  });
  return { rt, db: rt.db, fakes, svc: rt.services.conversations!, notices, close: () => rt.close() };
}

/** The rows of a CSV answer (BOM stripped, quoted cells unquoted). */
export function parseCsv(text: string, sep: string): string[][] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      row.push(cell);
      cell = '';
    } else if (ch === '\r') continue;
    else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

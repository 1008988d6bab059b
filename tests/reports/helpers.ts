import type { Clock } from '../../src/clock.js';
import { conversations, createConversationsModule } from '../../src/conversations/index.js';
import { createPlansModule } from '../../src/plans/index.js';
import { reportsModule } from '../../src/reports/index.js';
import { settingsModule } from '../../src/settings/index.js';
import { startTestRuntime } from '../helpers/runtime.js';
import { FakePorts, type Harness } from '../conversations/helpers.js';

export interface ReportsHarness extends Harness {
  notices: { portalId: number; subject: string; body: string }[];
}

/**
 * The conversations domain with fake WhatsApp/HubSpot ports (as its own tests use), plus this
 * issue's reports and plans domains. Workers off: nothing runs behind the scripted clock's back.
 */
export async function startReportsHarness(o: { clock: Clock; env?: Record<string, string> }): Promise<ReportsHarness> {
  let ports: FakePorts | undefined;
  const notices: ReportsHarness['notices'] = [];
  const rt = await startTestRuntime({
    clock: o.clock,
    env: o.env,
    work: false,
    modules: [
      settingsModule,
      createConversationsModule({ ports: (ctx) => (ports ??= new FakePorts(ctx.db, o.clock)) }),
      reportsModule,
      createPlansModule({ notifier: () => ({ notifyAdmin: async (n) => void notices.push(n) }) }),
    ],
  });
  return { rt, db: rt.db, ports: ports!, svc: conversations(rt.ctx), notices, close: () => rt.close() };
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

import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MessageRow } from '../messages/message-row.js';
import { describeMoment, isOpenAt, nextOpening } from '../settings/business-hours.js';
import type { Settings } from '../settings/types.js';
import { findTemplate } from '../templates/repo.js';
import type { OutboundRequest } from '../whatsapp/types.js';

export type AutomationKind = 'reminder' | 'out_of_hours_notice';

export interface ReminderDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  settings: (portalId: number) => Promise<Settings>;
  /** The WhatsApp sender (stores the message on the thread, sends it through Meta). */
  send: (req: OutboundRequest) => Promise<MessageRow>;
}

/** The out-of-hours notice goes this long before the window closes (the customer can still answer in it). */
export const NOTICE_LEAD_MS = 60 * 60 * 1000;

interface Candidate {
  id: number;
  portal_id: number;
  contact_id: number;
  phone_number_id: string;
  waba_id: string;
  profile_name: string | null;
  company: string | null;
  /** reminder: the agent's last message; notice: the customer's last message. */
  message_id: number;
  message_at: Date;
  window_expires_at: Date | null;
}

const BASE = `
  SELECT c.id, c.portal_id, c.contact_id, c.phone_number_id, c.window_expires_at, n.waba_id, ct.profile_name,
         COALESCE(n.verified_name, n.label) AS company, m.id AS message_id, m.sent_at AS message_at
    FROM conversations c
    JOIN contacts ct ON ct.id = c.contact_id AND ct.opted_out = false
    JOIN whatsapp_numbers n ON n.phone_number_id = c.phone_number_id`;

/**
 * F7 automatic messages. Reminder: a conversation waited on the customer `afterMinutes` after the
 * agent's last message. Out-of-hours notice: the customer wrote while the team was away and the
 * window closes before the team is back. Each is sent once per conversation and period on every
 * instance (a claim row per conversation, kind and period), never to an opted-out contact, and not
 * for a conversation resolved in the meantime.
 */
export class ReminderService {
  constructor(private readonly d: ReminderDeps) {}

  private async portalsWith(kind: 'reminder' | 'outOfHoursNotice'): Promise<number[]> {
    const r = await this.d.db.query<{ portal_id: number }>(
      `SELECT portal_id FROM portal_settings WHERE (settings -> $1 ->> 'enabled') = 'true'`,
      [kind],
    );
    return r.rows.map((x) => Number(x.portal_id));
  }

  /** One pass over every portal with reminders on; returns the conversations reminded. */
  async runReminders(): Promise<number[]> {
    const done: number[] = [];
    const now = this.d.clock.now();
    for (const portalId of await this.portalsWith('reminder')) {
      const s = await this.d.settings(portalId);
      if (!s.reminder.enabled || !s.reminder.templateName || !s.reminder.language) continue;
      const due = new Date(now.getTime() - s.reminder.afterMinutes * 60_000);
      const r = await this.d.db.query<Candidate>(
        `${BASE}
         JOIN LATERAL (SELECT id, sent_at FROM messages WHERE conversation_id = c.id AND direction = 'out' AND sender = 'agent'
                        ORDER BY sent_at DESC, id DESC LIMIT 1) m ON true
          WHERE c.portal_id = $1 AND c.status IN ('open', 'pending') AND m.sent_at <= $2
            AND NOT EXISTS (SELECT 1 FROM messages i WHERE i.conversation_id = c.id AND i.direction = 'in' AND i.sent_at > m.sent_at)
            AND NOT EXISTS (SELECT 1 FROM automation_claims a WHERE a.conversation_id = c.id AND a.kind = 'reminder' AND a.period_key = m.id::text)
          LIMIT 500`,
        [portalId, due],
      );
      for (const c of r.rows) {
        if (await this.fire(c, 'reminder', String(c.message_id), s, s.reminder)) done.push(Number(c.id));
      }
    }
    return done;
  }

  /** One pass for out-of-hours notices: windows closing within the lead time, before the team is back. */
  async runOutOfHoursNotices(): Promise<number[]> {
    const done: number[] = [];
    const now = this.d.clock.now();
    for (const portalId of await this.portalsWith('outOfHoursNotice')) {
      const s = await this.d.settings(portalId);
      const n = s.outOfHoursNotice;
      if (!n.enabled || !n.templateName || !n.language) continue;
      const r = await this.d.db.query<Candidate>(
        `${BASE}
         JOIN LATERAL (SELECT id, sent_at FROM messages WHERE conversation_id = c.id AND direction = 'in'
                        ORDER BY sent_at DESC, id DESC LIMIT 1) m ON true
          WHERE c.portal_id = $1 AND c.status IN ('open', 'pending')
            AND c.window_expires_at > $2 AND c.window_expires_at <= $3
            AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.conversation_id = c.id AND o.direction = 'out' AND o.sender = 'agent' AND o.sent_at > m.sent_at)
          LIMIT 500`,
        [portalId, now, new Date(now.getTime() + NOTICE_LEAD_MS)],
      );
      for (const c of r.rows) {
        const hours = s.businessHours;
        if (isOpenAt(c.message_at, hours)) continue; // written while the team was in
        const back = nextOpening(c.message_at, hours);
        if (back && c.window_expires_at && back <= c.window_expires_at) continue; // the team is back before it closes
        if (await this.fire(c, 'out_of_hours_notice', back ? back.toISOString() : 'never', s, n, back)) done.push(Number(c.id));
      }
    }
    return done;
  }

  /** Values for the template's placeholders, in order: customer's name, business name, when the team is back. */
  private values(c: Candidate, s: Settings, lang: 'es' | 'en', back?: Date | null): string[] {
    const first = c.profile_name?.trim().split(/\s+/)[0];
    const when = back ? describeMoment(back, s.businessHours, lang, this.d.clock.now()) : lang === 'es' ? 'pronto' : 'soon';
    return [first || (lang === 'es' ? 'cliente' : 'customer'), c.company || (lang === 'es' ? 'nuestro equipo' : 'our team'), when];
  }

  /** Claims (conversation, kind, period), re-checks the conversation, sends the template, marks the thread. */
  private async fire(c: Candidate, kind: AutomationKind, period: string, s: Settings, choice: { templateName: string | null; language: string | null }, back?: Date | null): Promise<boolean> {
    const claim = await this.d.db.query(
      `INSERT INTO automation_claims (conversation_id, kind, period_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
      [c.id, kind, period],
    );
    if (!claim.rowCount) return false; // another instance (or an earlier pass) has it
    const skip = async (detail: string) => {
      await this.mark(this.d.db.pool, c, kind, period, 'skipped', null, detail);
      this.d.logger.warn({ conversationId: c.id, kind, detail }, 'automatic message skipped');
      return false;
    };
    const still = await this.d.db.query(`SELECT 1 FROM conversations c JOIN contacts ct ON ct.id = c.contact_id WHERE c.id = $1 AND c.status IN ('open', 'pending') AND NOT ct.opted_out`, [c.id]);
    if (!still.rowCount) return skip('resolved or opted out in the meantime');
    const t = await findTemplate(this.d.db.pool, c.waba_id, choice.templateName!, choice.language!);
    if (!t || t.status !== 'APPROVED') return skip(`template ${choice.templateName} (${choice.language}) is not approved`);
    const lang = choice.language!.startsWith('en') ? 'en' : 'es';
    const values = this.values(c, s, lang, back);
    if (t.placeholder_count > values.length) return skip(`template ${t.name} needs ${t.placeholder_count} values; at most ${values.length} are filled automatically`);
    try {
      const row = await this.d.send({
        portalId: Number(c.portal_id),
        contactId: Number(c.contact_id),
        phoneNumberId: c.phone_number_id,
        conversationId: Number(c.id),
        sender: 'system',
        clientKey: `${kind}:${c.id}:${period}`,
        content: { kind: 'template', name: t.name, language: t.language, parameters: values.slice(0, t.placeholder_count) },
      });
      await this.d.db.tx(async (q) => this.mark(q, c, kind, period, 'sent', Number(row.id), null));
      this.d.logger.info({ conversationId: c.id, kind, template: t.name, messageId: row.id }, 'automatic message sent');
      return true;
    } catch (err) {
      if (err instanceof AppError && err.status < 500) return skip(`${err.code}: ${err.message}`);
      // Unknown outcome: release the claim so the next pass retries (the client key keeps it single).
      await this.d.db.query(`DELETE FROM automation_claims WHERE conversation_id = $1 AND kind = $2 AND period_key = $3`, [c.id, kind, period]);
      throw err;
    }
  }

  /** The claim's outcome, and on the thread: a conversation event the rep sees. */
  private async mark(q: Queryable, c: Candidate, kind: AutomationKind, period: string, state: 'sent' | 'skipped', messageId: number | null, detail: string | null): Promise<void> {
    await q.query(`UPDATE automation_claims SET state = $4, message_id = $5, detail = $6 WHERE conversation_id = $1 AND kind = $2 AND period_key = $3`, [c.id, kind, period, state, messageId, detail]);
    if (state !== 'sent') return;
    await q.query(`UPDATE conversations SET last_outbound_at = $2, updated_at = $2 WHERE id = $1`, [c.id, this.d.clock.now()]);
    await q.query(
      `INSERT INTO conversation_events (portal_id, conversation_id, kind, detail, at) VALUES ($1, $2, $3, $4, $5)`,
      [c.portal_id, c.id, kind === 'reminder' ? 'reminder_sent' : 'out_of_hours_notice_sent', JSON.stringify({ messageId }), this.d.clock.now()],
    );
  }
}

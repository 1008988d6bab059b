import { randomBytes } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import type { Queryable } from '../db/database.js';
import type { AdminCheck } from '../seams.js';
import { applySettingsInput, validateSettingsInput } from './schema.js';
import { withDefaults } from './defaults.js';
import type { Language, Settings } from './types.js';

const newQuickReplyId = () => `qr_${randomBytes(6).toString('hex')}`;

/** The portal's settings document: defaults filled in, validated on write, consent text versioned. */
export class SettingsService implements AdminCheck {
  constructor(private readonly ctx: AppContext) {}

  /** Current settings (defaults for anything never saved). Pass the transaction's client inside one. */
  async get(portalId: number, q: Queryable = this.ctx.db.pool): Promise<Settings> {
    const r = await q.query<{ settings: Partial<Settings> | null; language: string | null }>(
      `SELECT s.settings, p.language FROM portals p LEFT JOIN portal_settings s ON s.portal_id = p.id WHERE p.id = $1`,
      [portalId],
    );
    const row = r.rows[0];
    const lang: Language = row?.language === 'en' ? 'en' : 'es';
    return withDefaults(row?.settings, lang);
  }

  /** Full replace from the PUT body; returns what is stored (new consent version, quick reply ids). */
  async put(portalId: number, body: unknown): Promise<Settings> {
    const numbers = await this.ctx.db.query<{ phone_number_id: string }>('SELECT phone_number_id FROM whatsapp_numbers WHERE portal_id = $1', [
      portalId,
    ]);
    const input = validateSettingsInput(body, new Set(numbers.rows.map((r) => r.phone_number_id)));
    return this.ctx.db.tx(async (c) => {
      // Lock the row (or the portal when none yet) so two saves cannot both bump the version from the same base.
      await c.query('SELECT id FROM portals WHERE id = $1 FOR UPDATE', [portalId]);
      const current = await this.get(portalId, c);
      const next = applySettingsInput(current, input, newQuickReplyId);
      await c.query(
        `INSERT INTO portal_settings (portal_id, settings, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (portal_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()`,
        [portalId, JSON.stringify(next)],
      );
      return next;
    });
  }

  /** Writes a partial document straight away (tests, install defaults); no validation. */
  async patch(portalId: number, patch: (s: Settings) => Settings): Promise<Settings> {
    return this.ctx.db.tx(async (c) => {
      await c.query('SELECT id FROM portals WHERE id = $1 FOR UPDATE', [portalId]);
      const next = patch(await this.get(portalId, c));
      await c.query(
        `INSERT INTO portal_settings (portal_id, settings, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (portal_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()`,
        [portalId, JSON.stringify(next)],
      );
      return next;
    });
  }

  /**
   * Who may change settings and agents: the HubSpot user who installed the app. Fails closed: a
   * portal whose installer is unknown has no admin until someone reinstalls the app (the install
   * records the installing user), rather than letting every user of the portal in.
   */
  async isAdmin(portalId: number, userId: number, q: Queryable = this.ctx.db.pool): Promise<boolean> {
    const r = await q.query<{ installed_by_user_id: string | number | null }>('SELECT installed_by_user_id FROM portals WHERE id = $1', [portalId]);
    const installer = r.rows[0]?.installed_by_user_id;
    return installer !== null && installer !== undefined && Number(installer) === userId;
  }
}

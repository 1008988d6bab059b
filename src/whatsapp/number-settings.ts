import type { Request, Response, RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { forbidden, notFound } from '../errors.js';
import { callerOf } from '../http/signed-request.js';
import { numberJson, portalNumber, type NumberRow } from './numbers.js';

/** Meta's standard tier; the upgraded tier is 1,000. */
export const DEFAULT_MESSAGES_PER_SECOND = 80;
export const MAX_MESSAGES_PER_SECOND = 1000;

const PatchSchema = z
  .object({
    label: z.string().trim().min(1).max(100).optional(),
    messagesPerSecond: z.number().int().min(1).max(MAX_MESSAGES_PER_SECOND).optional(),
  })
  .refine((b) => b.label !== undefined || b.messagesPerSecond !== undefined, { message: 'give label or messagesPerSecond', path: ['label'] });

/** The number as the extension API shows it, with the send rate every instance keeps it under. */
export function numberSettingsJson(n: NumberRow, defaultRate: number) {
  return { ...numberJson(n), messagesPerSecond: n.throughput_per_second ?? defaultRate };
}

/** PATCH /api/v1/whatsapp-numbers/{phoneNumberId}: label and messagesPerSecond (admin only). */
export function registerNumberSettingsRoute(
  ctx: AppContext,
  router: Router,
  mw: RequestHandler[],
  isAdmin: (portalId: number, userId: number) => Promise<boolean>,
): void {
  router.patch('/api/v1/whatsapp-numbers/:phoneNumberId', ...mw, async (req: Request, res: Response) => {
    const { portalId, userId } = callerOf(req);
    if (!(await isAdmin(portalId, userId))) throw forbidden('Only an admin of the app can change WhatsApp numbers');
    const body = PatchSchema.parse(req.body);
    const id = String(req.params.phoneNumberId);
    if (!(await portalNumber(ctx.db.pool, portalId, id))) throw notFound(`WhatsApp number ${id} is not connected to this portal`);
    const r = await ctx.db.query<NumberRow>(
      `UPDATE whatsapp_numbers SET label = COALESCE($3, label), throughput_per_second = COALESCE($4, throughput_per_second), updated_at = now()
        WHERE portal_id = $1 AND phone_number_id = $2 RETURNING *`,
      [portalId, id, body.label ?? null, body.messagesPerSecond ?? null],
    );
    ctx.logger.info({ portalId, phoneNumberId: id, messagesPerSecond: body.messagesPerSecond }, 'whatsapp number settings changed');
    res.json({ number: numberSettingsJson(r.rows[0]!, ctx.config.whatsapp.throughputPerSecond ?? DEFAULT_MESSAGES_PER_SECOND) });
  });
}

import type { AppContext } from '../app-context.js';
import { AppError, notFound, validation } from '../errors.js';
import { findTemplate, type TemplateRow } from '../templates/index.js';
import { portalNumber, type NumberRow } from '../whatsapp/numbers.js';

/** The portal's number and its approved template a campaign (or an audience for one) is for. */
export type ResolveTarget = (portalId: number, phoneNumberId: string, name: string, language: string) => Promise<{ number: NumberRow; template: TemplateRow }>;

/** Looks the template up, re-reading the account's templates from Meta once when it is not known yet (approved since the last sync). */
export function targetResolver(ctx: AppContext, syncTemplates?: (wabaId: string) => Promise<unknown>): ResolveTarget {
  return async (portalId, phoneNumberId, name, language) => {
    const number = await portalNumber(ctx.db.pool, portalId, phoneNumberId);
    if (!number) throw notFound(`WhatsApp number ${phoneNumberId} is not connected to this portal`);
    let template = await findTemplate(ctx.db.pool, number.waba_id, name, language);
    if (!template && syncTemplates) {
      await syncTemplates(number.waba_id).catch((err) => ctx.logger.warn({ err }, 'template sync on demand failed'));
      template = await findTemplate(ctx.db.pool, number.waba_id, name, language);
    }
    if (!template || template.status === 'DELETED') throw validation(`templateName: ${name} (${language}) is not a template of this number's account`, { templateName: 'unknown template' });
    if (template.status !== 'APPROVED') throw new AppError(409, 'TEMPLATE_UNAVAILABLE', `Template ${name} (${language}) is ${template.status.toLowerCase()}, not approved`);
    return { number, template };
  };
}

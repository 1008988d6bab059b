// Graph nodes addressed by id (phone number, media, template, WABA) and WABA edges other than templates.
import { Router, type Request, type Response } from 'express';
import { authenticate, requireAccess } from './auth.js';
import type { SimContext } from './context.js';
import { errors } from './errors.js';
import { encodeCursor } from './ids.js';
import { digits } from './payloads.js';
import { deleteMedia, liveMedia, mediaInfo } from './routes-media.js';
import { editTemplate, parseFields } from './routes-templates.js';
import { TEMPLATE_FIELDS, templateJson } from './templates.js';
import type { SimNumber } from './types.js';

type Obj = Record<string, unknown>;

const PHONE_DEFAULT = ['verified_name', 'code_verification_status', 'display_phone_number', 'quality_rating', 'platform_type', 'throughput', 'id'];
const PHONE_FIELDS = [
  ...PHONE_DEFAULT,
  'name_status',
  'new_name_status',
  'messaging_limit_tier',
  'whatsapp_business_manager_messaging_limit',
  'account_mode',
  'status',
  'is_official_business_account',
  'is_pin_enabled',
  'last_onboarded_time',
  'webhook_configuration',
];
const WABA_FIELDS = ['id', 'name', 'currency', 'timezone_id', 'message_template_namespace', 'account_review_status', 'business_verification_status', 'country'];

function formattedNumber(n: SimNumber): string {
  const d = n.displayPhoneNumber.trim();
  return d.startsWith('+') ? d : `+${digits(d)}`;
}

export function phoneJson(ctx: SimContext, n: SimNumber, fields?: string[]): Obj {
  const all: Obj = {
    verified_name: n.verifiedName,
    code_verification_status: 'VERIFIED',
    display_phone_number: formattedNumber(n),
    quality_rating: n.qualityRating ?? 'GREEN',
    platform_type: 'CLOUD_API',
    throughput: { level: (n.throughputMps ?? ctx.cfg.throughputMps) > 80 ? 'HIGH' : 'STANDARD' },
    id: n.phoneNumberId,
    name_status: 'APPROVED',
    new_name_status: 'NONE',
    messaging_limit_tier: 'TIER_250',
    whatsapp_business_manager_messaging_limit: 'TIER_250',
    account_mode: 'LIVE',
    status: 'CONNECTED',
    is_official_business_account: false,
    is_pin_enabled: false,
    last_onboarded_time: '2025-01-01T00:00:00+0000',
    webhook_configuration: { application: 'WhatsApp for HubSpot (simulated)' },
  };
  const pick = fields ?? PHONE_DEFAULT;
  const out: Obj = {};
  for (const f of pick) out[f] = all[f];
  out.id = n.phoneNumberId;
  return out;
}

function wabaJson(wabaId: string, fields?: string[]): Obj {
  const all: Obj = {
    id: wabaId,
    name: `Simulated WABA ${wabaId}`,
    currency: 'USD',
    timezone_id: '1',
    message_template_namespace: `sim_${wabaId}`,
    account_review_status: 'APPROVED',
    business_verification_status: 'verified',
    country: 'CO',
  };
  const pick = fields ?? ['id', 'name', 'currency', 'timezone_id', 'message_template_namespace'];
  const out: Obj = {};
  for (const f of pick) out[f] = all[f];
  out.id = wabaId;
  return out;
}

export function objectsRouter(ctx: SimContext): Router {
  const r = Router({ mergeParams: true });
  const wabaGuard = (req: Request, method: string): string => {
    const allowed = authenticate(req, ctx.store, ctx.now());
    const id = String(req.params.id);
    requireAccess(allowed, ctx.store.wabaIds().has(id) ? id : undefined, method, id);
    return id;
  };

  // ---- subscribed_apps ----
  r.get('/:id/subscribed_apps', (req: Request, res: Response) => {
    const wabaId = wabaGuard(req, 'get');
    const apps = ctx.store.subscribedApps.get(wabaId) ?? [];
    res.json({
      data: apps.map((a) => {
        const o: Obj = { whatsapp_business_api_data: { link: a.link, name: a.name, id: a.id } };
        if (a.override_callback_uri) o.override_callback_uri = a.override_callback_uri;
        return o;
      }),
    });
  });
  r.post('/:id/subscribed_apps', (req: Request, res: Response) => {
    const wabaId = wabaGuard(req, 'post');
    const body = (req.body ?? {}) as Obj;
    const override = typeof body.override_callback_uri === 'string' ? body.override_callback_uri : undefined;
    const app = { id: '100000000000001', name: 'WhatsApp for HubSpot', link: 'https://example.com/whatsapp-for-hubspot', override_callback_uri: override };
    ctx.store.subscribedApps.set(wabaId, [app]);
    res.json({ success: true });
  });
  r.delete('/:id/subscribed_apps', (req: Request, res: Response) => {
    const wabaId = wabaGuard(req, 'delete');
    ctx.store.subscribedApps.delete(wabaId);
    res.json({ success: true });
  });

  // ---- phone_numbers ----
  r.get('/:id/phone_numbers', (req: Request, res: Response) => {
    const wabaId = wabaGuard(req, 'get');
    const fields = parseFields(req, PHONE_FIELDS, 'WhatsAppBusinessPhoneNumber');
    const nums = ctx.store.numbersOfWaba(wabaId);
    res.json({
      data: nums.map((n) => phoneJson(ctx, n, fields)),
      paging: nums.length ? { cursors: { before: encodeCursor(0), after: encodeCursor(nums.length - 1) } } : { cursors: {} },
    });
  });

  // ---- nodes by id ----
  r.get('/:id', (req: Request, res: Response) => {
    const allowed = authenticate(req, ctx.store, ctx.now());
    const id = String(req.params.id);
    const number = ctx.store.numbers.get(id);
    if (number) {
      requireAccess(allowed, number.wabaId, 'get', id);
      return void res.json(phoneJson(ctx, number, parseFields(req, PHONE_FIELDS, 'WhatsAppBusinessPhoneNumber')));
    }
    const media = liveMedia(ctx, id);
    if (media) {
      requireAccess(allowed, media.wabaId, 'get', id);
      return void res.json(mediaInfo(ctx, req, media));
    }
    const tpl = ctx.store.templates.get(id);
    if (tpl) {
      requireAccess(allowed, tpl.wabaId, 'get', id);
      return void res.json(templateJson(tpl, parseFields(req, TEMPLATE_FIELDS, 'WhatsAppMessageTemplate')));
    }
    if (ctx.store.wabaIds().has(id)) {
      requireAccess(allowed, id, 'get', id);
      return void res.json(wabaJson(id, parseFields(req, WABA_FIELDS, 'WhatsAppBusinessAccount')));
    }
    throw errors.unknownObject('get', id);
  });

  r.delete('/:id', (req: Request, res: Response) => {
    const allowed = authenticate(req, ctx.store, ctx.now());
    const id = String(req.params.id);
    const media = liveMedia(ctx, id);
    if (!media) throw errors.unknownObject('delete', id);
    requireAccess(allowed, media.wabaId, 'delete', id);
    deleteMedia(req, media);
    res.json({ success: true });
  });

  r.post('/:id', (req: Request, res: Response) => {
    const allowed = authenticate(req, ctx.store, ctx.now());
    const id = String(req.params.id);
    const tpl = ctx.store.templates.get(id);
    if (!tpl) throw errors.unknownObject('post', id);
    requireAccess(allowed, tpl.wabaId, 'post', id);
    editTemplate(ctx, tpl, (req.body ?? {}) as Obj);
    res.json({ success: true });
  });

  return r;
}

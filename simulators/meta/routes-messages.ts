// POST /{phone-number-id}/messages: sends, reactions and mark-as-read.
import { Router, type Request, type Response } from 'express';
import { authenticate, requireAccess } from './auth.js';
import { nowSec, type SimContext } from './context.js';
import { errors, statusErrors } from './errors.js';
import { wamid as newWamid } from './ids.js';
import type { MetaErrorObject, OutboundMessage } from './types.js';
import { validateSend, type SendPlan } from './validate-send.js';

type Obj = Record<string, unknown>;

export function messagesRouter(ctx: SimContext): Router {
  const r = Router({ mergeParams: true });

  r.post('/:id/messages', (req: Request, res: Response) => {
    const allowed = authenticate(req, ctx.store, ctx.now());
    const id = String(req.params.id);
    const number = ctx.store.numbers.get(id);
    requireAccess(allowed, number?.wabaId, 'post', id);
    if (!number) throw errors.unknownObject('post', id);
    const body: Obj = typeof req.body === 'object' && req.body !== null ? (req.body as Obj) : {};

    if (body.status !== undefined) {
      markRead(ctx, body);
      res.json({ success: true });
      return;
    }

    const nowMs = ctx.now();
    const plan = validateSend(body, ctx.store, number, nowMs);

    const pairKey = `pair:${number.phoneNumberId}:${plan.waId}`;
    const tpKey = `tp:${number.phoneNumberId}`;
    const mps = number.throughputMps ?? ctx.cfg.throughputMps;
    if (!ctx.store.underRate(tpKey, nowMs, mps, 1000)) {
      ctx.store.throughputRejections.set(number.phoneNumberId, (ctx.store.throughputRejections.get(number.phoneNumberId) ?? 0) + 1);
      throw errors.throughput();
    }
    if (!ctx.store.underRate(pairKey, nowMs, ctx.cfg.pairRateLimit.max, ctx.cfg.pairRateLimit.windowMs)) throw errors.pairRate();
    ctx.store.recordRate(tpKey, nowMs);
    ctx.store.recordRate(pairKey, nowMs);

    const msg = accept(ctx, number.phoneNumberId, number.wabaId, plan, body, nowMs);
    ctx.lifecycle.start(msg, failureFor(ctx, msg, plan));

    const message: Obj = { id: msg.wamid };
    if (plan.type === 'template') message.message_status = 'accepted';
    res.json({
      messaging_product: 'whatsapp',
      contacts: [{ input: plan.input, wa_id: plan.waId }],
      messages: [message],
    });
  });

  return r;
}

function markRead(ctx: SimContext, body: Obj): void {
  if (body.messaging_product === undefined) throw errors.paramRequired('messaging_product');
  if (body.messaging_product !== 'whatsapp') throw errors.paramMessage(`Param messaging_product must be one of {WHATSAPP} - got "${String(body.messaging_product)}".`);
  if (body.status !== 'read') throw errors.paramMessage(`Param status must be one of {READ} - got "${String(body.status)}".`);
  const id = body.message_id;
  if (typeof id !== 'string' || !id) throw errors.paramRequired('message_id');
  if (!id.startsWith('wamid.')) throw errors.invalidParam(`Param message_id is not a valid WhatsApp message id: ${id}`);
  const ti = body.typing_indicator;
  if (ti !== undefined && (typeof ti !== 'object' || ti === null || (ti as Obj).type !== 'text')) {
    throw errors.paramMessage("Param typing_indicator['type'] must be one of {TEXT}.");
  }
  const m = ctx.store.inbound.get(id);
  if (m) m.readByBusiness = true;
}

function accept(ctx: SimContext, phoneNumberId: string, wabaId: string, plan: SendPlan, body: Obj, nowMs: number): OutboundMessage {
  const windowOpen = ctx.store.windowOpen(phoneNumberId, plan.waId, nowSec(ctx));
  const t = plan.template;
  const category = t ? t.category.toLowerCase() : 'service';
  const free = !t || (t.category === 'UTILITY' && windowOpen);
  const msg: OutboundMessage = {
    wamid: newWamid(plan.waId, 'out'),
    phoneNumberId,
    wabaId,
    input: plan.input,
    waId: plan.waId,
    type: plan.type,
    request: body,
    text: plan.text,
    template: t ? { name: t.name, language: t.language, category: t.category, id: t.id } : undefined,
    mediaId: plan.mediaId,
    status: 'accepted',
    statusHistory: [{ status: 'accepted', at: nowMs }],
    bizOpaqueCallbackData: plan.bizOpaqueCallbackData,
    contextMessageId: plan.contextMessageId,
    windowOpenAtSend: windowOpen,
    pricing: { billable: !free, pricing_model: 'PMP', type: free ? 'free_customer_service' : 'regular', category },
    createdAt: nowMs,
  };
  ctx.store.messages.set(msg.wamid, msg);
  return msg;
}

/** Failures Meta reports only asynchronously, as a `failed` status. */
function failureFor(ctx: SimContext, msg: OutboundMessage, plan: SendPlan): MetaErrorObject | undefined {
  const profile = ctx.store.profiles.get(msg.waId);
  if (profile?.notOnWhatsApp) return statusErrors.notOnWhatsApp();
  if (msg.type !== 'template' && !msg.windowOpenAtSend) return statusErrors.reEngagement();
  if (msg.template?.category === 'MARKETING' && profile?.marketingOptOut) return statusErrors.marketingOptOut();
  return plan.asyncFailure;
}

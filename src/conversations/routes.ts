import type { Router } from 'express';
import type { AppContext } from '../app-context.js';
import type { ConversationActions } from './actions.js';
import type { RepSends } from './rep-send.js';
import { idempotent } from '../http/api-idempotency.js';
import { callerOf, requireHubSpotSignature } from '../http/signed-request.js';

/** The card's endpoints (docs/extension-api.md): thin — the caller, a service call, the answer. */
export function registerConversationRoutes(ctx: AppContext, router: Router, actions: ConversationActions, sends: RepSends): void {
  const signed = requireHubSpotSignature(ctx);
  const once = idempotent(ctx);
  const key = (res: { locals: Record<string, unknown> }) => res.locals.idempotencyKey as string | undefined;

  router.get('/api/v1/contacts/:contactId/conversation', signed, async (req, res) => {
    res.json(await actions.contactView(callerOf(req), String(req.params.contactId), req.query));
  });
  router.post('/api/v1/contacts/:contactId/messages', signed, once, async (req, res) => {
    res.status(201).json(await sends.sendText(callerOf(req), String(req.params.contactId), req.body, key(res)));
  });
  router.post('/api/v1/contacts/:contactId/template-messages', signed, once, async (req, res) => {
    res.status(201).json(await sends.sendTemplate(callerOf(req), String(req.params.contactId), req.body, key(res)));
  });
  router.post('/api/v1/conversations/:id/assign', signed, once, async (req, res) => {
    res.json(await actions.assign(callerOf(req), String(req.params.id), req.body));
  });
  router.post('/api/v1/conversations/:id/transfer', signed, once, async (req, res) => {
    res.json(await actions.transfer(callerOf(req), String(req.params.id), req.body, key(res)));
  });
  router.post('/api/v1/conversations/:id/resolve', signed, once, async (req, res) => {
    res.json(await actions.resolve(callerOf(req), String(req.params.id), req.body));
  });
}

// HTTP face of the simulated customer phone (for the demo UI and scripts), under /_sim. No auth: test tool.
import { Router, type Request, type Response } from 'express';
import type { SimContext } from './context.js';
import type { Customer } from './customer.js';
import { liveMedia } from './routes-media.js';

type Obj = Record<string, unknown>;

export function customerRouter(ctx: SimContext, customer: Customer): Router {
  const r = Router();
  const body = (req: Request): Obj => (typeof req.body === 'object' && req.body !== null ? (req.body as Obj) : {});
  const fail = (res: Response, e: unknown): void => {
    res.status(400).json({ error: e instanceof Error ? e.message : String(e) });
  };

  const actions: Record<string, (b: Obj) => Promise<unknown>> = {
    text: (b) => customer.sendText(b as never),
    location: (b) => customer.sendLocation(b as never),
    contacts: (b) => customer.sendContacts(b as never),
    reaction: (b) => customer.sendReaction(b as never),
    button: (b) => customer.tapButton(b as never),
    list: (b) => customer.tapListItem(b as never),
    'template-button': (b) => customer.tapTemplateButton(b as never),
    unsupported: (b) => customer.sendUnsupported(b as never),
    media: (b) => customer.sendMedia({ ...(b as Obj), bytes: Buffer.from(String(b.bytesBase64 ?? ''), 'base64') } as never),
    read: async (b) => {
      await customer.read(String(b.wamid));
      return { success: true };
    },
    deliver: async (b) => {
      await customer.deliver(String(b.wamid));
      return { success: true };
    },
    raw: (b) => customer.sendRaw(b),
  };

  r.post('/customer/:action', async (req: Request, res: Response) => {
    const fn = actions[String(req.params.action)];
    if (!fn) return void res.status(404).json({ error: `unknown action ${String(req.params.action)}` });
    try {
      res.json(await fn(body(req)));
    } catch (e) {
      fail(res, e);
    }
  });

  r.get('/customer/:waId/inbox', (req: Request, res: Response) => {
    res.json({ data: customer.inbox(String(req.params.waId)).map(({ request: _request, ...m }) => m) });
  });

  r.post('/customer/:waId/profile', (req: Request, res: Response) => {
    customer.setProfile(String(req.params.waId), body(req));
    res.json({ success: true });
  });

  /** Bytes of a media object without a token, so the demo phone can render what the business sent. */
  r.get('/media/:id', (req: Request, res: Response) => {
    const m = liveMedia(ctx, String(req.params.id));
    if (!m) return void res.status(404).end();
    res.type(m.mimeType).send(m.bytes);
  });

  r.get('/numbers', (_req: Request, res: Response) => {
    res.json({ data: [...ctx.store.numbers.values()].map(({ accessToken: _t, ...n }) => n) });
  });

  return r;
}

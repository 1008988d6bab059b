import express, { type Express, type Request } from 'express';
import type { AppContext, Domain } from '../app-context.js';
import { jsonParsers } from './body-guard.js';
import { errorHandler, unknownRoute } from './errors.js';
import { requestLog } from './request-log.js';
import { baseSecurityHeaders } from './security-headers.js';

declare module 'http' {
  interface IncomingMessage {
    /** The exact request bytes, for signature checks (X-Hub-Signature-256, X-HubSpot-Signature-v3). */
    rawBody?: Buffer;
  }
}

const keepRaw = (req: Request, _res: unknown, buf: Buffer) => {
  req.rawBody = buf;
};

/** Raw-body routes parse their own bytes after checking a signature (Meta's webhook). */
export const RAW_BODY_PATHS = ['/webhooks/whatsapp'];

/** Builds the HTTP app. Tests call this and use supertest; nothing here listens on a port. */
export async function createHttpApp(ctx: AppContext, domains: Domain[]): Promise<Express> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false); // signed URLs are rebuilt from PUBLIC_BASE_URL, never from proxy headers
  app.use(baseSecurityHeaders(ctx.config));

  app.use(requestLog(ctx.logger));

  app.use(jsonParsers(keepRaw, RAW_BODY_PATHS));

  app.get('/health', async (_req, res) => {
    try {
      await Promise.race([
        ctx.db.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
      ]);
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });

  const router = express.Router();
  for (const d of domains) d.mountRoutes?.(router);
  app.use(router);

  app.use(unknownRoute);
  app.use(errorHandler);
  return app;
}

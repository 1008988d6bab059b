import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';

declare module 'http' {
  interface IncomingMessage {
    /** The request's id: the caller's X-Request-Id when well-formed, else a new UUID. */
    id?: string;
    /** A logger whose lines carry the request (id, method, path); built on first use. */
    log: Logger;
  }
}

const WELL_FORMED_ID = /^[\w.-]{1,100}$/;

/**
 * Request ids, a request-scoped logger and one completion line per request (info; error from
 * 500). It replaces pino-http, whose per-request child logger serialised and redacted the request
 * eagerly: on the webhook ack path, where nothing logs but the completion line, that was ~7% of
 * the process's CPU (docs/scaling.md). Here the child is built only when a line is written, and
 * the completion line only when its level is enabled. Same line shape as before.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && WELL_FORMED_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    req.id = id;
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      get: () => (child ??= logger.child({ req: { id, method: req.method, url: req.originalUrl.split('?')[0] } })),
    });
    const started = Date.now();
    res.once('close', () => {
      const level = res.statusCode >= 500 ? 'error' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const line = { res: { statusCode: res.statusCode }, responseTime: Date.now() - started };
      req.log[level](line, res.writableFinished ? 'request completed' : 'request aborted');
    });
    next();
  };
}

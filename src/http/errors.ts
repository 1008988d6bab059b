import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError, zodDetails } from '../errors.js';

// The domain errors live in src/errors.ts; re-exported for the HTTP infrastructure beside this file.
export { AppError, forbidden, notFound, validation, zodDetails } from '../errors.js';

export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'NOT_FOUND', `No route ${req.method} ${req.path}`));
};

/** The one error handler: a stable upper-case code, a clear message, never a stack or a secret. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  let status = 500;
  let body: { code: string; message: string; details?: unknown };
  if (err instanceof AppError) {
    status = err.status;
    const retry = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (status === 429 && typeof retry === 'number') res.setHeader('Retry-After', String(retry));
    body = { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) };
  } else if (err instanceof ZodError) {
    status = 422;
    const details = zodDetails(err);
    const [field, msg] = Object.entries(details)[0] ?? ['_', 'invalid'];
    body = { code: 'VALIDATION', message: `${field}: ${msg}`, details };
  } else if (err?.name === 'PortalNotConnectedError') {
    // HubSpot cannot be called for this portal (no tokens, uninstalled, refresh refused): the
    // admin's fix is to reconnect, not to retry. Matched by name so http/ needs no domain import.
    status = 409;
    body = { code: 'HUBSPOT_NOT_CONNECTED', message: 'The app is not connected to this HubSpot account. Reinstall it from the marketplace listing to reconnect.' };
  } else if (err?.type === 'entity.parse.failed') {
    status = 400;
    body = { code: 'INVALID_JSON', message: 'The request body is not valid JSON' };
  } else if (err?.type === 'entity.too.large') {
    status = 413;
    body = { code: 'PAYLOAD_TOO_LARGE', message: `The request body is larger than ${err.limit} bytes` };
  } else if (err?.type === 'charset.unsupported') {
    status = 415;
    body = { code: 'UNSUPPORTED_CHARSET', message: `The request body must be UTF-8 (charset "${String(err.charset).slice(0, 40)}" is not supported)` };
  } else if (err?.type === 'encoding.unsupported') {
    status = 415;
    body = { code: 'UNSUPPORTED_ENCODING', message: `Content-Encoding "${String(err.encoding).slice(0, 40)}" is not supported; send the body as is, or gzip, deflate or br` };
  } else if ((typeof err?.type === 'string' || err?.expose === true) && Number.isInteger(err.status) && err.status >= 400 && err.status < 500) {
    // body-parser's other refusals (aborted upload, Content-Length that does not match, bad gzip…)
    status = err.status;
    body = { code: 'INVALID_BODY', message: 'The request body could not be read' };
  } else {
    body = { code: 'INTERNAL', message: 'Something went wrong on our side; the request id identifies it in our logs' };
  }
  if (status >= 500) req.log?.error({ err }, 'request failed');
  else req.log?.info({ code: body.code }, 'request refused');
  res.status(status).json({ error: body });
};

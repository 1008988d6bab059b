import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';

/** A failure the caller can act on: answered as {"error":{"code","message","details"?}}. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what = 'Not found') => new AppError(404, 'NOT_FOUND', what);
export const validation = (message: string, details?: unknown) => new AppError(422, 'VALIDATION', message, details);
export const forbidden = (message = 'Forbidden') => new AppError(403, 'FORBIDDEN', message);

/** Field-level messages from a zod error: {"text": "Required", "parameters.0": "..."} */
export function zodDetails(err: ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of err.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_';
    out[key] ??= issue.message;
  }
  return out;
}

export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'NOT_FOUND', `No route ${req.method} ${req.path}`));
};

/** The one error handler: a stable upper-case code, a clear message, never a stack or a secret. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  let status = 500;
  let body: { code: string; message: string; details?: unknown };
  if (err instanceof AppError) {
    status = err.status;
    body = { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) };
  } else if (err instanceof ZodError) {
    status = 422;
    const details = zodDetails(err);
    const [field, msg] = Object.entries(details)[0] ?? ['_', 'invalid'];
    body = { code: 'VALIDATION', message: `${field}: ${msg}`, details };
  } else if (err?.type === 'entity.parse.failed') {
    status = 400;
    body = { code: 'INVALID_JSON', message: 'The request body is not valid JSON' };
  } else if (err?.type === 'entity.too.large') {
    status = 413;
    body = { code: 'PAYLOAD_TOO_LARGE', message: `The request body is larger than ${err.limit} bytes` };
  } else {
    body = { code: 'INTERNAL', message: 'Something went wrong on our side; the request id identifies it in our logs' };
  }
  if (status >= 500) req.log?.error({ err }, 'request failed');
  else req.log?.info({ code: body.code }, 'request refused');
  res.status(status).json({ error: body });
};

// HubSpot's public-API error envelope:
// {"status":"error","message","correlationId","category", "errors"?, "context"?, "links"?, "subCategory"?}
import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Response } from 'express';

export type ErrorCategory =
  | 'VALIDATION_ERROR'
  | 'OBJECT_NOT_FOUND'
  | 'OBJECT_ALREADY_EXISTS'
  | 'CONFLICT'
  | 'INVALID_AUTHENTICATION'
  | 'EXPIRED_AUTHENTICATION'
  | 'MISSING_SCOPES'
  | 'RATE_LIMITS'
  | 'BAD_REQUEST'
  | 'INTERNAL_ERROR';

export interface ErrorDetail {
  message: string;
  code?: string;
  in?: string;
  subCategory?: string;
  context?: Record<string, string[]>;
}

export class HubSpotApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.message === 'string' ? body.message : `HubSpot error ${httpStatus}`);
  }
}

export function correlationId(): string {
  return randomUUID();
}

export function apiError(
  httpStatus: number,
  category: ErrorCategory,
  message: string,
  extra: { errors?: ErrorDetail[]; context?: Record<string, string[]>; links?: Record<string, string>; subCategory?: string } = {},
): HubSpotApiError {
  const body: Record<string, unknown> = { status: 'error', message, correlationId: correlationId() };
  if (extra.context) body.context = extra.context;
  body.category = category;
  if (extra.subCategory) body.subCategory = extra.subCategory;
  if (extra.errors) body.errors = extra.errors;
  if (extra.links) body.links = extra.links;
  return new HubSpotApiError(httpStatus, body);
}

export const validationError = (message: string, extra: Parameters<typeof apiError>[3] = {}) =>
  apiError(400, 'VALIDATION_ERROR', message, extra);

export const notFound = (message = 'resource not found') => apiError(404, 'OBJECT_NOT_FOUND', message);

/** HubSpot's per-property validation result, embedded as JSON in the message like the real API does. */
export interface PropertyValidationResult {
  isValid: false;
  message: string;
  error: string;
  name: string;
  localizedErrorMessage: string;
  portalId: number;
}

export function propertyValidationError(results: PropertyValidationResult[]): HubSpotApiError {
  return validationError(`Property values were not valid: ${JSON.stringify(results)}`, {
    errors: results.map((r) => ({ message: r.message, code: r.error, context: { propertyName: [r.name] } })),
  });
}

export function sendApiError(res: Response, err: HubSpotApiError): void {
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.status(err.httpStatus).json(err.body);
}

/** Final error handler: HubSpot-shaped JSON for everything, including body-parser failures. */
export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof HubSpotApiError) return sendApiError(res, err);
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.parse.failed') {
    return sendApiError(res, validationError(`Invalid input JSON : ${e.message ?? 'malformed body'}`));
  }
  if (e.type === 'entity.too.large') {
    return sendApiError(res, apiError(413, 'VALIDATION_ERROR', 'Request body too large'));
  }
  sendApiError(res, apiError(500, 'INTERNAL_ERROR', `Internal error: ${e.message ?? String(err)}`));
};

import type { ZodError } from 'zod';

/** A failure the caller can act on (domain code throws it; src/http/errors.ts answers it): answered as {"error":{"code","message","details"?}}. */
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

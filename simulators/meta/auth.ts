// Bearer-token checks, Graph style.
import type { Request } from 'express';
import { errors, GraphError } from './errors.js';
import type { SimStore } from './store.js';

export function tokenOf(req: Request): string | undefined {
  const h = req.get('authorization');
  if (h) {
    const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(h.trim());
    return m ? m[1].trim() : undefined;
  }
  const q = req.query.access_token;
  if (typeof q === 'string' && q) return q;
  const b = (req.body as Record<string, unknown> | undefined)?.access_token;
  return typeof b === 'string' && b ? b : undefined;
}

/** Returns the WABA ids the request's token may act on, or throws a 190 error. */
export function authenticate(req: Request, store: SimStore, nowMs: number): Set<string> {
  const token = tokenOf(req);
  if (!token) {
    if (req.get('authorization') !== undefined) throw errors.invalidToken();
    throw errors.missingToken();
  }
  const info = store.tokens.get(token);
  if (!info) throw errors.invalidToken();
  if (info.revoked === 'expired') throw errors.expiredToken(new Date(nowMs).toUTCString());
  if (info.revoked === 'invalidated') throw errors.invalidatedToken();
  return info.wabaIds;
}

/** Objects the token can't see look exactly like objects that don't exist (100 / subcode 33). */
export function requireAccess(allowed: Set<string>, wabaId: string | undefined, method: string, id: string): void {
  if (!wabaId || !allowed.has(wabaId)) throw errors.unknownObject(method, id);
}

export function isGraphError(e: unknown): e is GraphError {
  return e instanceof GraphError;
}

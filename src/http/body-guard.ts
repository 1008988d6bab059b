// What the JSON parser lets through before any route sees a body.
//  - Size: a signed extension call or HubSpot webhook may carry up to 1 MB (a campaign's CSV);
//    anything else (no signature header, a route that takes no JSON) is read only up to 16 KB, so an
//    anonymous caller cannot make us buffer megabytes. body-parser refuses a too long Content-Length
//    before reading a byte.
//  - Text: PostgreSQL cannot store U+0000, and a lone UTF-16 surrogate is not text (it used to be a
//    500 deep in a send); both are refused at the edge as 422 VALIDATION naming the field.
import express, { type RequestHandler } from 'express';
import { textProblem } from '../messages/text.js';
import { AppError } from './errors.js';

export const SIGNED_JSON_LIMIT = '1mb';
export const ANONYMOUS_JSON_LIMIT = '16kb';

/** Routes whose JSON is checked against HubSpot's signature (requireHubSpotSignature). */
const SIGNED_PREFIXES = ['/api/', '/webhooks/hubspot'];

export function jsonParsers(keepRaw: (req: express.Request, res: unknown, buf: Buffer) => void, skip: string[]): RequestHandler {
  const signed = express.json({ limit: SIGNED_JSON_LIMIT, verify: keepRaw });
  const anonymous = express.json({ limit: ANONYMOUS_JSON_LIMIT, verify: keepRaw });
  return (req, res, next) => {
    if (skip.some((p) => req.path.startsWith(p))) return next();
    const claimsSignature = typeof req.headers['x-hubspot-signature-v3'] === 'string';
    const parse = claimsSignature && SIGNED_PREFIXES.some((p) => req.path.startsWith(p)) ? signed : anonymous;
    parse(req, res, (err?: unknown) => {
      if (err) return next(err);
      const bad = badText(req.body);
      next(bad ? new AppError(422, 'VALIDATION', `${bad.path}: ${bad.problem}`, { [bad.path]: bad.problem }) : undefined);
    });
  };
}

const problemOf = textProblem;

/** The first string (value or key) that is not storable text, with its path; iterative (deep JSON cannot overflow the stack). */
export function badText(body: unknown): { path: string; problem: string } | undefined {
  const stack: Array<[unknown, string]> = [[body, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = problemOf(v);
      if (problem) return { path: path || '_', problem };
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const p = path ? `${path}.${k}` : k;
        const keyProblem = problemOf(k);
        if (keyProblem) return { path: path || '_', problem: `a field name ${keyProblem}` };
        stack.push([child, p]);
      }
    }
  }
  return undefined;
}

// /crm/owners/2026-03: owners (PublicOwner). Owner id ≠ user id, as in HubSpot.
import { Router } from 'express';
import { authOf, SCOPES, type Guard } from './auth.js';
import { notFound, validationError } from './errors.js';

export function ownersRouter(guard: Guard): Router {
  const r = Router();

  r.get('/', guard('owners.list', { scopes: SCOPES.ownersRead }), (req, res) => {
    const { portal } = authOf(res);
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw validationError('limit must be between 1 and 500');
    const after = req.query.after === undefined ? 0 : Number(req.query.after);
    const archived = req.query.archived === 'true';
    const email = typeof req.query.email === 'string' ? req.query.email.toLowerCase() : undefined;
    const all = [...portal.owners.values()]
      .filter((o) => o.archived === archived && (!email || o.email.toLowerCase() === email) && Number(o.id) >= after)
      .sort((a, b) => Number(a.id) - Number(b.id));
    const page = all.slice(0, limit);
    const body: Record<string, unknown> = { results: page };
    if (all.length > limit) {
      const next = String(Number(page[page.length - 1].id) + 1);
      body.paging = { next: { after: next, link: `${req.baseUrl}?after=${next}` } };
    }
    res.json(body);
  });

  r.get('/:ownerId', guard('owners.get', { scopes: SCOPES.ownersRead }), (req, res) => {
    const { portal } = authOf(res);
    const idProperty = String(req.query.idProperty ?? 'id');
    const archived = req.query.archived === 'true';
    const key = String(req.params.ownerId);
    if (idProperty !== 'id' && idProperty !== 'userId') throw validationError('idProperty must be id or userId');
    const owner = [...portal.owners.values()].find(
      (o) => (idProperty === 'id' ? o.id === key : String(o.userId) === key) && o.archived === archived,
    );
    if (!owner) throw notFound(`Owner ${key} not found`);
    res.json(owner);
  });

  return r;
}

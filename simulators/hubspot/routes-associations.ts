// /crm/associations/2026-03/{from}/{to}/labels: the association types between two object types.
import { Router } from 'express';
import { ASSOCIATION_TYPES } from './associations.js';
import { SCOPES, type Guard } from './auth.js';
import { validationError } from './errors.js';
import { resolveObjectType } from './store.js';

export function associationsRouter(guard: Guard): Router {
  const r = Router();
  r.get('/:fromType/:toType/labels', guard('associations.labels', { scopes: SCOPES.contactsRead }), (req, res) => {
    const from = resolveObjectType(String(req.params.fromType));
    const to = resolveObjectType(String(req.params.toType));
    if (!from || !to) throw validationError(`Unknown object type in ${String(req.params.fromType)}/${String(req.params.toType)}`);
    res.json({
      results: ASSOCIATION_TYPES.filter((a) => a.from === from && a.to === to).map((a) => ({
        category: 'HUBSPOT_DEFINED',
        typeId: a.typeId,
        label: null,
      })),
    });
  });
  return r;
}

// /crm/objects/2026-03/{contacts|communications|tasks}: basic CRUD, batch, search and associations.
// One router per object type; the differences between types live in OBJECT_CONFIGS.
import { Router, type Request } from 'express';
import { associate, ASSOCIATION_TYPES, defaultTypeId, dissociate, planAssociations } from './associations.js';
import { authOf, SCOPES, type Guard } from './auth.js';
import { apiError, notFound, validationError } from './errors.js';
import {
  archiveRecord, checkUnique, createRecord, findRecord, listParam, serialize, updateRecord, type ObjectConfig,
} from './objects.js';
import { runSearch } from './search.js';
import { OBJECT_TYPE_IDS, resolveObjectType } from './store.js';
import { normaliseProperties, type PropertyInput } from './values.js';
import type { CrmRecord, ObjectTypeName, Portal, SimState } from './types.js';

export const MAX_BATCH_INPUTS = 100;

function batchInputs(body: unknown): Array<Record<string, unknown>> {
  const inputs = (body as { inputs?: unknown } | undefined)?.inputs;
  if (!Array.isArray(inputs)) throw validationError('inputs must be an array');
  if (inputs.length > MAX_BATCH_INPUTS) {
    throw validationError(`Batch input size ${inputs.length} exceeds the limit of ${MAX_BATCH_INPUTS} inputs per request`, {
      context: { inputs: [String(inputs.length)] },
    });
  }
  return inputs.map((i) => (i && typeof i === 'object' ? (i as Record<string, unknown>) : {}));
}

const batchEnvelope = (startedAt: string, results: unknown[], errors: unknown[] = []) => ({
  status: 'COMPLETE',
  results,
  ...(errors.length ? { numErrors: errors.length, errors } : {}),
  startedAt,
  completedAt: new Date().toISOString(),
});

function notFoundBatch(cfg: ObjectConfig, ids: string[]) {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    message: `Could not get some ${cfg.errorLabel} objects, they may be deleted or not exist. Check that ids are valid.`,
    context: { ids },
  };
}

function associationTypes(v: unknown): ObjectTypeName[] | undefined {
  return listParam(v)?.map((t) => resolveObjectType(t)).filter((t): t is ObjectTypeName => t !== undefined);
}

export function objectRouter(state: SimState, guard: Guard, cfg: ObjectConfig): Router {
  const r = Router();
  const t = cfg.type;
  const now = () => state.opts.now();
  const iso = () => new Date(now()).toISOString();
  const read = (op: string, search = false) => guard(`${t}.${op}`, { scopes: SCOPES.contactsRead, search });
  const write = (op: string) => guard(`${t}.${op}`, { scopes: SCOPES.contactsWrite });
  const portalOf = (res: Parameters<typeof authOf>[0]): Portal => authOf(res).portal;

  const prepareCreate = (portal: Portal, input: Record<string, unknown>) => {
    const props = normaliseProperties(portal, t, input.properties ?? {}, cfg.required);
    const plan = planAssociations(portal, t, input.associations);
    return { props, plan };
  };
  const doCreate = (portal: Portal, p: ReturnType<typeof prepareCreate>): CrmRecord => {
    const rec = createRecord(portal, cfg, p.props, now());
    for (const a of p.plan) associate(rec, a.target, a.typeId);
    return rec;
  };
  const requireProps = (props: PropertyInput, raw: unknown) => {
    if (Object.keys(props).length === 0) {
      throw validationError('No properties found to update, please provide at least one.', {
        context: { properties: [JSON.stringify(raw ?? {})] },
      });
    }
  };

  r.get('/', read('list'), (req, res) => {
    const portal = portalOf(res);
    const limit = req.query.limit === undefined ? 10 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw validationError('limit must be between 1 and 100');
    const after = req.query.after === undefined ? 0 : Number(req.query.after);
    const archived = req.query.archived === 'true';
    const all = [...portal[t].values()]
      .filter((x) => x.archived === archived && Number(x.id) >= after)
      .sort((a, b) => Number(a.id) - Number(b.id));
    const page = all.slice(0, limit);
    const o = { properties: listParam(req.query.properties), associations: associationTypes(req.query.associations) };
    const body: Record<string, unknown> = { results: page.map((x) => serialize(portal, x, cfg, o)) };
    if (all.length > limit) {
      const next = String(Number(page[page.length - 1].id) + 1);
      body.paging = { next: { after: next, link: `${req.baseUrl}?after=${next}` } };
    }
    res.json(body);
  });

  r.post('/', write('create'), (req, res) => {
    const portal = portalOf(res);
    const p = prepareCreate(portal, (req.body ?? {}) as Record<string, unknown>);
    checkUnique(portal, t, p.props);
    res.status(201).json(serialize(portal, doCreate(portal, p), cfg, { all: true }));
  });

  r.post('/search', read('search', true), (req, res) => {
    res.json(runSearch(portalOf(res), cfg, req.body, now(), state.opts.searchIndexLagMs));
  });

  r.post('/batch/read', read('batch.read'), (req, res) => {
    const portal = portalOf(res);
    const startedAt = iso();
    const inputs = batchInputs(req.body);
    const body = req.body as { properties?: unknown; idProperty?: unknown };
    const idProperty = typeof body.idProperty === 'string' ? body.idProperty : undefined;
    const archived = req.query.archived === 'true';
    const properties = Array.isArray(body.properties) ? body.properties.map(String) : undefined;
    const results: unknown[] = [];
    const missing: string[] = [];
    const seen = new Set<string>();
    for (const input of inputs) {
      const id = String(input.id ?? '');
      const rec = findRecord(portal, t, id, idProperty, archived);
      if (!rec || rec.archived !== archived) missing.push(id);
      else if (!seen.has(rec.id)) {
        seen.add(rec.id);
        results.push(serialize(portal, rec, cfg, { properties }));
      }
    }
    const errors = missing.length ? [notFoundBatch(cfg, missing)] : [];
    res.status(errors.length ? 207 : 200).json(batchEnvelope(startedAt, results, errors));
  });

  r.post('/batch/create', write('batch.create'), (req, res) => {
    const portal = portalOf(res);
    const startedAt = iso();
    const prepared = batchInputs(req.body).map((input) => prepareCreate(portal, input));
    // uniqueness against existing records and within the batch, before anything is written
    prepared.forEach((p, i) => {
      checkUnique(portal, t, p.props);
      for (const q of prepared.slice(0, i)) {
        for (const [k, v] of Object.entries(p.props)) {
          if (v && portal.schemas[t].properties.get(k)?.hasUniqueValue && q.props[k]?.toLowerCase() === v.toLowerCase()) {
            throw apiError(409, 'CONFLICT', `Duplicate ${k} values in batch input: ${v}`);
          }
        }
      }
    });
    const results = prepared.map((p) => serialize(portal, doCreate(portal, p), cfg, { all: true }));
    res.status(201).json(batchEnvelope(startedAt, results));
  });

  r.post('/batch/update', write('batch.update'), (req, res) => {
    const portal = portalOf(res);
    const startedAt = iso();
    const inputs = batchInputs(req.body);
    const ids = inputs.map((i) => String(i.id ?? ''));
    const dupes = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
    if (dupes.length) throw validationError(`Duplicate IDs found in batch input: [${dupes.join(', ')}]. IDs must be unique`);
    const work: Array<{ rec: CrmRecord; props: PropertyInput }> = [];
    const missing: string[] = [];
    inputs.forEach((input, i) => {
      const props = normaliseProperties(portal, t, input.properties ?? {});
      requireProps(props, input.properties);
      const idProperty = typeof input.idProperty === 'string' ? input.idProperty : undefined;
      const rec = findRecord(portal, t, ids[i], idProperty);
      if (!rec) missing.push(ids[i]);
      else {
        checkUnique(portal, t, props, rec.id);
        work.push({ rec, props });
      }
    });
    const results = work.map(({ rec, props }) => {
      updateRecord(rec, cfg, props, now());
      return serialize(portal, rec, cfg, { all: true });
    });
    const errors = missing.length ? [notFoundBatch(cfg, missing)] : [];
    res.status(errors.length ? 207 : 200).json(batchEnvelope(startedAt, results, errors));
  });

  r.post('/batch/archive', write('batch.archive'), (req, res) => {
    const portal = portalOf(res);
    for (const input of batchInputs(req.body)) {
      const rec = portal[t].get(String(input.id ?? ''));
      if (rec) archiveRecord(rec, now());
    }
    res.status(204).end();
  });

  r.get('/:id', read('get'), (req, res) => {
    const portal = portalOf(res);
    const idProperty = typeof req.query.idProperty === 'string' ? req.query.idProperty : undefined;
    const archived = req.query.archived === 'true';
    const rec = findRecord(portal, t, String(req.params.id), idProperty, archived);
    if (!rec || rec.archived !== archived) throw notFound();
    res.json(serialize(portal, rec, cfg, {
      properties: listParam(req.query.properties),
      associations: associationTypes(req.query.associations),
    }));
  });

  r.patch('/:id', write('update'), (req, res) => {
    const portal = portalOf(res);
    const idProperty = typeof req.query.idProperty === 'string' ? req.query.idProperty : undefined;
    const raw = (req.body as { properties?: unknown } | undefined)?.properties;
    const props = normaliseProperties(portal, t, raw ?? {});
    requireProps(props, raw);
    const rec = findRecord(portal, t, String(req.params.id), idProperty);
    if (!rec) throw notFound();
    checkUnique(portal, t, props, rec.id);
    updateRecord(rec, cfg, props, now());
    res.json(serialize(portal, rec, cfg, { all: true }));
  });

  r.delete('/:id', write('archive'), (req, res) => {
    const rec = portalOf(res)[t].get(String(req.params.id));
    if (rec) archiveRecord(rec, now());
    res.status(204).end(); // HubSpot answers 204 even for unknown ids
  });

  // ---- associations (v4 semantics under the 2026-03 objects path) ----
  const endpoints = (req: Request, portal: Portal) => {
    const toType = resolveObjectType(String(req.params.toType));
    if (!toType) throw validationError(`Unknown object type ${String(req.params.toType)}`);
    const from = portal[t].get(String(req.params.id));
    const to = portal[toType].get(String(req.params.toId));
    if (!from || from.archived) throw notFound(`${cfg.errorLabel} ${String(req.params.id)} not found`);
    if (!to || to.archived) throw notFound(`${toType} ${String(req.params.toId)} not found`);
    return { toType, from, to };
  };

  r.put('/:id/associations/default/:toType/:toId', write('associations.create'), (req, res) => {
    const startedAt = iso();
    const { toType, from, to } = endpoints(req, portalOf(res));
    const typeId = defaultTypeId(t, toType);
    if (typeId === undefined) throw validationError(`There is no default association type from ${t} to ${toType}`);
    associate(from, to, typeId);
    const inverse = defaultTypeId(toType, t);
    const results = [
      { from: { id: from.id }, to: { id: to.id }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId } },
      ...(inverse === undefined ? [] : [
        { from: { id: to.id }, to: { id: from.id }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: inverse } },
      ]),
    ];
    res.json(batchEnvelope(startedAt, results));
  });

  r.put('/:id/associations/:toType/:toId', write('associations.create'), (req, res) => {
    const { toType, from, to } = endpoints(req, portalOf(res));
    const specs = Array.isArray(req.body) ? (req.body as Array<Record<string, unknown>>) : [];
    if (specs.length === 0) throw validationError('Body must be a non-empty array of association specs');
    for (const s of specs) {
      const typeId = Number(s.associationTypeId);
      if (s.associationCategory !== 'HUBSPOT_DEFINED' || !ASSOCIATION_TYPES.some((a) => a.from === t && a.to === toType && a.typeId === typeId)) {
        throw validationError(`${String(s.associationCategory)} ${String(s.associationTypeId)} is not a valid association type from ${t} to ${toType}`);
      }
      associate(from, to, typeId);
    }
    res.status(201).json({
      fromObjectTypeId: OBJECT_TYPE_IDS[t], fromObjectId: Number(from.id),
      toObjectTypeId: OBJECT_TYPE_IDS[toType], toObjectId: Number(to.id), labels: [],
    });
  });

  r.get('/:id/associations/:toType', read('associations.list'), (req, res) => {
    const portal = portalOf(res);
    const toType = resolveObjectType(String(req.params.toType));
    if (!toType) throw validationError(`Unknown object type ${String(req.params.toType)}`);
    const from = portal[t].get(String(req.params.id));
    if (!from || from.archived) throw notFound();
    const byId = from.associations.get(toType) ?? new Map();
    const results = [...byId.entries()]
      .filter(([id]) => !portal[toType].get(id)?.archived)
      .map(([id, types]) => ({
        toObjectId: Number(id),
        associationTypes: (types as Array<{ associationCategory: string; associationTypeId: number }>).map((x) => ({
          category: x.associationCategory, typeId: x.associationTypeId, label: null,
        })),
      }));
    res.json({ results });
  });

  r.delete('/:id/associations/:toType/:toId', write('associations.delete'), (req, res) => {
    const { from, to } = endpoints(req, portalOf(res));
    dissociate(from, to);
    res.status(204).end();
  });

  return r;
}

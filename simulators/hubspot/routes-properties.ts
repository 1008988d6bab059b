// /crm/properties/2026-03/{objectType}: property definitions and property groups.
import { Router, type Request } from 'express';
import { authOf, missingScopes, SCOPES, type Guard } from './auth.js';
import { apiError, HubSpotApiError, notFound, validationError } from './errors.js';
import { FIELD_TYPES, FIELD_TYPES_BY_TYPE, PROPERTY_TYPES } from './schemas.js';
import { resolveObjectType } from './store.js';
import type { ObjectSchema, Portal, PropertyDefinition, PropertyGroup, PropertyOption, SimState } from './types.js';

const NAME_RE = /^[a-z][a-z0-9_]*$/;

function schemaOf(req: Request, portal: Portal): ObjectSchema {
  const type = resolveObjectType(String(req.params.objectType));
  if (!type) throw validationError(`Unable to infer object type from: ${String(req.params.objectType)}`);
  return portal.schemas[type];
}

function parseOptions(raw: unknown, name: string): PropertyOption[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw validationError(`options of ${name} must be an array`);
  const seen = new Set<string>();
  return raw.map((o, i) => {
    const opt = (o ?? {}) as Record<string, unknown>;
    if (typeof opt.label !== 'string' || typeof opt.value !== 'string' || opt.value === '') {
      throw validationError(`Each option of ${name} needs a label and a value`);
    }
    if (seen.has(opt.value)) throw validationError(`Duplicate option value ${opt.value} in ${name}`);
    seen.add(opt.value);
    return {
      label: opt.label,
      value: opt.value,
      ...(typeof opt.description === 'string' ? { description: opt.description } : {}),
      displayOrder: typeof opt.displayOrder === 'number' ? opt.displayOrder : i,
      hidden: opt.hidden === true,
    };
  });
}

/** Validates a property create body; throws HubSpot-style errors. */
export function buildProperty(schema: ObjectSchema, body: unknown, nowIso: string): PropertyDefinition {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const missing = ['name', 'label', 'type', 'fieldType', 'groupName'].filter((k) => typeof b[k] !== 'string' || b[k] === '');
  if (missing.length) {
    throw validationError(`Missing required fields: ${missing.join(', ')}`, { context: { missingFields: missing } });
  }
  const name = String(b.name);
  const type = String(b.type);
  const fieldType = String(b.fieldType);
  if (!NAME_RE.test(name) || name.length > 100) {
    throw validationError(`Property name ${name} is invalid: use lower-case letters, digits and underscores, starting with a letter`);
  }
  if (!(PROPERTY_TYPES as readonly string[]).includes(type)) {
    throw validationError(`${type} is not a valid property type; expected one of ${PROPERTY_TYPES.join(', ')}`);
  }
  if (!(FIELD_TYPES as readonly string[]).includes(fieldType)) {
    throw validationError(`${fieldType} is not a valid fieldType; expected one of ${FIELD_TYPES.join(', ')}`);
  }
  if (!FIELD_TYPES_BY_TYPE[type].includes(fieldType)) {
    throw validationError(`fieldType ${fieldType} is not valid for a property of type ${type}`);
  }
  const groupName = String(b.groupName);
  if (!schema.groups.get(groupName) || schema.groups.get(groupName)!.archived) {
    throw validationError(`Property group ${groupName} does not exist`);
  }
  const sensitivity = b.dataSensitivity ?? 'non_sensitive';
  if (sensitivity !== 'non_sensitive') {
    if (sensitivity !== 'sensitive' && sensitivity !== 'highly_sensitive') {
      throw validationError(`dataSensitivity ${String(sensitivity)} is not valid`);
    }
    throw missingScopes([`crm.objects.contacts.${sensitivity}.write.v2`]);
  }
  let options = parseOptions(b.options, name);
  const externalOptions = b.externalOptions === true;
  if (type === 'bool' && options.length === 0) {
    options = [
      { label: 'Yes', value: 'true', displayOrder: 0, hidden: false },
      { label: 'No', value: 'false', displayOrder: 1, hidden: false },
    ];
  }
  if (type === 'enumeration' && options.length === 0 && !externalOptions) {
    throw validationError(`Enumeration property ${name} needs options`);
  }
  if (externalOptions && b.referencedObjectType !== 'OWNER') {
    throw validationError('externalOptions requires referencedObjectType OWNER');
  }
  return {
    name,
    label: String(b.label),
    type,
    fieldType,
    description: typeof b.description === 'string' ? b.description : '',
    groupName,
    options,
    displayOrder: typeof b.displayOrder === 'number' ? b.displayOrder : -1,
    calculated: false,
    externalOptions,
    ...(externalOptions ? { referencedObjectType: 'OWNER' } : {}),
    hasUniqueValue: b.hasUniqueValue === true,
    hidden: b.hidden === true,
    formField: b.formField === true,
    dataSensitivity: 'non_sensitive',
    modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
    createdAt: nowIso,
    updatedAt: nowIso,
    archived: false,
  };
}

const alreadyExists = (name: string) =>
  apiError(409, 'OBJECT_ALREADY_EXISTS', `Property named '${name}' already exists.`, { context: { name: [name] } });

function createProperty(schema: ObjectSchema, body: unknown, nowIso: string): PropertyDefinition {
  const def = buildProperty(schema, body, nowIso);
  if (schema.properties.has(def.name)) throw alreadyExists(def.name);
  schema.properties.set(def.name, def);
  return def;
}

export function propertiesRouter(state: SimState, guard: Guard): Router {
  const r = Router({ mergeParams: true });
  const nowIso = () => new Date(state.opts.now()).toISOString();
  const read = (op: string) => guard(`properties.${op}`, { scopes: SCOPES.schemasRead });
  const write = (op: string) => guard(`properties.${op}`, { scopes: SCOPES.schemasWrite });

  // ---- groups (registered before /:propertyName) ----
  r.get('/groups', read('groups.list'), (req, res) => {
    const schema = schemaOf(req, authOf(res).portal);
    res.json({ results: [...schema.groups.values()].filter((g) => !g.archived) });
  });

  r.post('/groups', write('groups.create'), (req, res) => {
    const schema = schemaOf(req, authOf(res).portal);
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (typeof b.name !== 'string' || !NAME_RE.test(b.name) || typeof b.label !== 'string') {
      throw validationError('A property group needs a valid name (lower-case, digits, underscores) and a label');
    }
    if (schema.groups.get(b.name)) {
      throw apiError(409, 'OBJECT_ALREADY_EXISTS', `Property group '${b.name}' already exists.`, { context: { name: [b.name] } });
    }
    const group: PropertyGroup = {
      name: b.name, label: b.label, displayOrder: typeof b.displayOrder === 'number' ? b.displayOrder : -1, archived: false,
    };
    schema.groups.set(group.name, group);
    res.status(201).json(group);
  });

  r.get('/groups/:groupName', read('groups.get'), (req, res) => {
    const group = schemaOf(req, authOf(res).portal).groups.get(String(req.params.groupName));
    if (!group || group.archived) throw notFound(`Property group ${String(req.params.groupName)} not found`);
    res.json(group);
  });

  // ---- properties ----
  r.get('/', read('list'), (req, res) => {
    const schema = schemaOf(req, authOf(res).portal);
    const archived = req.query.archived === 'true';
    res.json({ results: [...schema.properties.values()].filter((p) => p.archived === archived) });
  });

  r.post('/', write('create'), (req, res) => {
    const schema = schemaOf(req, authOf(res).portal);
    res.status(201).json(createProperty(schema, req.body, nowIso()));
  });

  r.post('/batch/create', write('batch.create'), (req, res) => {
    const schema = schemaOf(req, authOf(res).portal);
    const startedAt = nowIso();
    const inputs = (req.body as { inputs?: unknown } | undefined)?.inputs;
    if (!Array.isArray(inputs)) throw validationError('inputs must be an array');
    const results: PropertyDefinition[] = [];
    const errors: unknown[] = [];
    for (const input of inputs) {
      try {
        results.push(createProperty(schema, input, nowIso()));
      } catch (e) {
        if (!(e instanceof HubSpotApiError)) throw e;
        errors.push({ status: 'error', category: e.body.category, message: e.body.message, context: e.body.context ?? {} });
      }
    }
    res.status(errors.length ? 207 : 201).json({
      status: 'COMPLETE', results, ...(errors.length ? { numErrors: errors.length, errors } : {}),
      startedAt, completedAt: nowIso(),
    });
  });

  r.post('/batch/read', read('batch.read'), (req, res) => {
    const schema = schemaOf(req, authOf(res).portal);
    const startedAt = nowIso();
    const inputs = (req.body as { inputs?: unknown } | undefined)?.inputs;
    if (!Array.isArray(inputs)) throw validationError('inputs must be an array');
    const results = inputs
      .map((i) => schema.properties.get(String((i as { name?: unknown })?.name)))
      .filter((p): p is PropertyDefinition => p !== undefined && !p.archived);
    res.json({ status: 'COMPLETE', results, startedAt, completedAt: nowIso() });
  });

  r.get('/:propertyName', read('get'), (req, res) => {
    const name = String(req.params.propertyName);
    const def = schemaOf(req, authOf(res).portal).properties.get(name);
    if (!def || def.archived !== (req.query.archived === 'true')) {
      throw notFound(`Unable to find property ${name} for object type ${String(req.params.objectType)}`);
    }
    res.json(def);
  });

  r.patch('/:propertyName', write('update'), (req, res) => {
    const schema = schemaOf(req, authOf(res).portal);
    const name = String(req.params.propertyName);
    const def = schema.properties.get(name);
    if (!def || def.archived) throw notFound(`Unable to find property ${name}`);
    if (def.modificationMetadata.readOnlyDefinition) throw validationError(`Property ${name} is read-only and cannot be updated`);
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (b.hasUniqueValue !== undefined && b.hasUniqueValue !== def.hasUniqueValue) {
      throw validationError(`hasUniqueValue of ${name} cannot be changed`);
    }
    const merged = buildProperty(schema, { ...def, ...b, name, dataSensitivity: def.dataSensitivity }, def.createdAt);
    const updated: PropertyDefinition = { ...merged, createdAt: def.createdAt, updatedAt: nowIso() };
    schema.properties.set(name, updated);
    res.json(updated);
  });

  r.delete('/:propertyName', write('archive'), (req, res) => {
    const schema = schemaOf(req, authOf(res).portal);
    const name = String(req.params.propertyName);
    const def = schema.properties.get(name);
    if (!def) throw notFound(`Unable to find property ${name}`);
    if (!def.modificationMetadata.archivable) throw validationError(`Property ${name} cannot be archived`);
    def.archived = true;
    res.status(204).end();
  });

  return r;
}

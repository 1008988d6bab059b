// Validation and normalisation of property values on CRM writes, with HubSpot's per-property error codes.
import { propertyValidationError, type PropertyValidationResult } from './errors.js';
import type { ObjectTypeName, Portal, PropertyDefinition } from './types.js';

export type PropertyInput = Record<string, string>; // normalised; '' clears the value

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** ms since epoch from HubSpot's accepted datetime spellings (epoch ms or ISO 8601), else undefined. */
export function parseTimestamp(v: string): number | undefined {
  const s = v.trim();
  if (/^-?\d+$/.test(s)) return Number(s);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function normaliseOne(
  portal: Portal,
  def: PropertyDefinition,
  value: string,
): { ok: true; value: string } | { ok: false; error: string; message: string } {
  switch (def.type) {
    case 'number':
      return Number.isFinite(Number(value)) && value.trim() !== ''
        ? { ok: true, value: value.trim() }
        : { ok: false, error: 'INVALID_FLOAT', message: `${JSON.stringify(value)} is not a valid number.` };
    case 'bool': {
      const v = value.trim().toLowerCase();
      return v === 'true' || v === 'false'
        ? { ok: true, value: v }
        : { ok: false, error: 'INVALID_BOOLEAN', message: `${value} was not a valid boolean; use true or false.` };
    }
    case 'datetime': {
      const ms = parseTimestamp(value);
      return ms === undefined
        ? { ok: false, error: 'INVALID_LONG', message: `${value} was not a valid long; use epoch milliseconds or ISO 8601.` }
        : { ok: true, value: new Date(ms).toISOString() };
    }
    case 'date': {
      const ms = parseTimestamp(value);
      if (ms === undefined) return { ok: false, error: 'INVALID_DATE', message: `${value} was not a valid date.` };
      const d = new Date(ms);
      if (d.getUTCHours() || d.getUTCMinutes() || d.getUTCSeconds() || d.getUTCMilliseconds()) {
        return {
          ok: false,
          error: 'INVALID_DATE',
          message: `${value} is at ${d.getUTCHours()}:${d.getUTCMinutes()}:${d.getUTCSeconds()}.${d.getUTCMilliseconds()} UTC, not midnight!`,
        };
      }
      return { ok: true, value: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` };
    }
    case 'enumeration': {
      const allowed =
        def.externalOptions && def.referencedObjectType === 'OWNER'
          ? [...portal.owners.values()].filter((o) => !o.archived).map((o) => o.id)
          : def.options.map((o) => o.value);
      const parts = def.fieldType === 'checkbox' ? value.split(';') : [value];
      const bad = parts.find((p) => !allowed.includes(p));
      return bad === undefined
        ? { ok: true, value }
        : { ok: false, error: 'INVALID_OPTION', message: `${bad} was not one of the allowed options: [${allowed.join(', ')}]` };
    }
    default:
      if (def.name === 'email') {
        const v = value.trim().toLowerCase();
        return EMAIL_RE.test(v)
          ? { ok: true, value: v }
          : { ok: false, error: 'INVALID_EMAIL', message: `Email address ${value} is invalid` };
      }
      return value.length > 65_536
        ? { ok: false, error: 'INVALID_STRING_LENGTH', message: `${def.name} is longer than 65536 characters` }
        : { ok: true, value };
  }
}

/**
 * Validates a `properties` object of a create/update and returns normalised string values.
 * Throws HubSpot's 400 "Property values were not valid" with one entry per bad property.
 */
export function normaliseProperties(
  portal: Portal,
  type: ObjectTypeName,
  input: unknown,
  required: string[] = [],
): PropertyInput {
  const schema = portal.schemas[type].properties;
  const errors: PropertyValidationResult[] = [];
  const out: PropertyInput = {};
  const fail = (name: string, error: string, message: string) =>
    errors.push({ isValid: false, message, error, name, localizedErrorMessage: message, portalId: portal.portalId });

  const props = input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  for (const [name, raw] of Object.entries(props)) {
    const def = schema.get(name);
    if (!def || def.archived) {
      fail(name, 'PROPERTY_DOESNT_EXIST', `Property "${name}" does not exist`);
      continue;
    }
    if (def.modificationMetadata.readOnlyValue || def.calculated) {
      fail(name, 'READ_ONLY_VALUE', `"${name}" is a read only property; its value cannot be set.`);
      continue;
    }
    if (raw === null || raw === undefined || raw === '') {
      out[name] = '';
      continue;
    }
    if (typeof raw === 'object') {
      fail(name, 'INVALID_PROPERTY_VALUE', `${name} must be a string, number or boolean`);
      continue;
    }
    const r = normaliseOne(portal, def, String(raw));
    if (r.ok) out[name] = r.value;
    else fail(name, r.error, r.message);
  }
  for (const name of required) {
    if (!(name in out) || out[name] === '') {
      if (errors.some((e) => e.name === name)) continue;
      fail(name, 'REQUIRED_PROPERTY', `${name} is required`);
    }
  }
  if (errors.length) throw propertyValidationError(errors);
  return out;
}

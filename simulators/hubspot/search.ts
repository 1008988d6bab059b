// CRM search: filterGroups (OR of ANDs), operators, sorts, paging, limits and indexing lag.
import { validationError } from './errors.js';
import { serialize, type ObjectConfig } from './objects.js';
import { parseTimestamp } from './values.js';
import type { CrmRecord, IndexEntry, Portal, PropertyDefinition } from './types.js';

export const SEARCH_LIMITS = { maxGroups: 5, maxFiltersPerGroup: 6, maxFiltersTotal: 18, maxLimit: 200, maxTotal: 10_000, maxQuery: 3000 };

const OPERATORS = new Set([
  'EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN',
]);

const QUERY_FIELDS: Record<string, string[]> = {
  contacts: ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company', 'website'],
  communications: ['hs_communication_body'],
  tasks: ['hs_task_subject', 'hs_task_body'],
};

interface Filter {
  propertyName: string;
  operator: string;
  value?: string;
  highValue?: string;
  values?: string[];
  def: PropertyDefinition;
}

interface Sort {
  propertyName: string;
  descending: boolean;
}

/** The record as the search index currently sees it (writes become visible after `lagMs`). */
export function indexedView(rec: CrmRecord, now: number, lagMs: number): IndexEntry | undefined {
  let visible: IndexEntry | undefined;
  let visibleAt = -1;
  for (let i = rec.index.length - 1; i >= 0; i--) {
    const e = rec.index[i];
    if (e.at + lagMs <= now) {
      visible = e;
      visibleAt = i;
      break;
    }
  }
  if (visibleAt > 0) rec.index.splice(0, visibleAt); // older versions can never be seen again
  return visible;
}

const scalar = (v: unknown): string | undefined =>
  v === undefined || v === null ? undefined : typeof v === 'object' ? undefined : String(v);

function parseFilter(portal: Portal, cfg: ObjectConfig, raw: unknown): Filter {
  const f = (raw ?? {}) as Record<string, unknown>;
  const propertyName = scalar(f.propertyName);
  const operator = scalar(f.operator)?.toUpperCase();
  if (!propertyName) throw validationError('Each filter needs a propertyName');
  if (!operator || !OPERATORS.has(operator)) {
    throw validationError(`Invalid operator ${String(f.operator)} for property ${propertyName}`);
  }
  const def = portal.schemas[cfg.type].properties.get(propertyName);
  if (!def) throw validationError(`Unable to filter on property ${propertyName}: it does not exist`);
  const out: Filter = { propertyName, operator, def };
  if (operator === 'IN' || operator === 'NOT_IN') {
    if (!Array.isArray(f.values) || f.values.length === 0) {
      throw validationError(`${operator} filter on ${propertyName} requires a non-empty values array`);
    }
    out.values = f.values.map((v) => String(v));
  } else if (operator !== 'HAS_PROPERTY' && operator !== 'NOT_HAS_PROPERTY') {
    out.value = scalar(f.value);
    if (out.value === undefined) throw validationError(`${operator} filter on ${propertyName} requires a value`);
    if (operator === 'BETWEEN') {
      out.highValue = scalar(f.highValue);
      if (out.highValue === undefined) throw validationError(`BETWEEN filter on ${propertyName} requires a highValue`);
    }
  }
  return out;
}

function isTemporal(def: PropertyDefinition): boolean {
  return def.type === 'datetime' || def.type === 'date';
}

function compare(def: PropertyDefinition, a: string, b: string): number {
  if (def.type === 'number') return Number(a) - Number(b);
  if (isTemporal(def)) return (parseTimestamp(a) ?? NaN) - (parseTimestamp(b) ?? NaN);
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function equals(def: PropertyDefinition, stored: string, value: string): boolean {
  if (def.type === 'number' || isTemporal(def)) return compare(def, stored, value) === 0;
  const parts = def.type === 'enumeration' && def.fieldType === 'checkbox' ? stored.split(';') : [stored];
  return parts.some((p) => p.toLowerCase() === value.toLowerCase());
}

/** IN on string properties compares against the lower-cased index: values must be given in lower case. */
function inMatch(def: PropertyDefinition, stored: string, value: string): boolean {
  if (def.type === 'string' || def.type === 'phone_number') return stored.toLowerCase() === value;
  return equals(def, stored, value);
}

function tokens(s: string): string[] {
  return s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

function containsToken(stored: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v.includes('*')) {
    const re = new RegExp('^' + v.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 'u');
    return re.test(stored.toLowerCase()) || tokens(stored).some((t) => re.test(t));
  }
  const have = new Set(tokens(stored));
  const want = tokens(v);
  return want.length > 0 && want.every((t) => have.has(t));
}

function matches(f: Filter, props: Record<string, string>): boolean {
  const stored = props[f.propertyName];
  const has = stored !== undefined && stored !== '';
  const v = f.value ?? '';
  switch (f.operator) {
    case 'HAS_PROPERTY': return has;
    case 'NOT_HAS_PROPERTY': return !has;
    case 'EQ': return has && equals(f.def, stored, v);
    case 'NEQ': return !(has && equals(f.def, stored, v));
    case 'IN': return has && f.values!.some((x) => inMatch(f.def, stored, x));
    case 'NOT_IN': return !(has && f.values!.some((x) => inMatch(f.def, stored, x)));
    case 'GT': return has && compare(f.def, stored, v) > 0;
    case 'GTE': return has && compare(f.def, stored, v) >= 0;
    case 'LT': return has && compare(f.def, stored, v) < 0;
    case 'LTE': return has && compare(f.def, stored, v) <= 0;
    case 'BETWEEN': return has && compare(f.def, stored, v) >= 0 && compare(f.def, stored, f.highValue!) <= 0;
    case 'CONTAINS_TOKEN': return has && containsToken(stored, v);
    case 'NOT_CONTAINS_TOKEN': return !(has && containsToken(stored, v));
    default: return false;
  }
}

function parseSorts(portal: Portal, cfg: ObjectConfig, raw: unknown): Sort[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw validationError('sorts must be an array');
  return raw.map((s) => {
    let sort: Sort;
    if (typeof s === 'string') {
      sort = s.startsWith('-') ? { propertyName: s.slice(1), descending: true } : { propertyName: s, descending: false };
    } else {
      const o = (s ?? {}) as Record<string, unknown>;
      sort = { propertyName: String(o.propertyName ?? ''), descending: String(o.direction ?? 'ASCENDING').toUpperCase() === 'DESCENDING' };
    }
    if (!portal.schemas[cfg.type].properties.has(sort.propertyName)) {
      throw validationError(`Unable to sort on property ${sort.propertyName}: it does not exist`);
    }
    return sort;
  });
}

function queryMatch(cfg: ObjectConfig, props: Record<string, string>, q: string): boolean {
  const want = tokens(q);
  if (want.length === 0) return true;
  const have = (QUERY_FIELDS[cfg.type] ?? []).flatMap((f) => (props[f] ? tokens(props[f]) : []));
  return want.every((w) => have.some((h) => h.startsWith(w)));
}

export function runSearch(portal: Portal, cfg: ObjectConfig, body: unknown, now: number, lagMs: number) {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const rawGroups = b.filterGroups ?? [];
  if (!Array.isArray(rawGroups)) throw validationError('filterGroups must be an array');
  if (rawGroups.length > SEARCH_LIMITS.maxGroups) {
    throw validationError(`Too many filterGroups: ${rawGroups.length}. The maximum is ${SEARCH_LIMITS.maxGroups}.`);
  }
  let total = 0;
  const groups = rawGroups.map((g: unknown) => {
    const filters = (g as { filters?: unknown })?.filters ?? [];
    if (!Array.isArray(filters)) throw validationError('filters must be an array');
    if (filters.length > SEARCH_LIMITS.maxFiltersPerGroup) {
      throw validationError(`Too many filters in a filterGroup: ${filters.length}. The maximum is ${SEARCH_LIMITS.maxFiltersPerGroup}.`);
    }
    total += filters.length;
    return filters.map((f) => parseFilter(portal, cfg, f));
  });
  if (total > SEARCH_LIMITS.maxFiltersTotal) {
    throw validationError(`Too many filters: ${total}. The maximum across all filterGroups is ${SEARCH_LIMITS.maxFiltersTotal}.`);
  }
  const limit = b.limit === undefined ? 10 : Number(b.limit);
  if (!Number.isInteger(limit) || limit < 0 || limit > SEARCH_LIMITS.maxLimit) {
    throw validationError(`limit must be an integer between 0 and ${SEARCH_LIMITS.maxLimit}; got ${String(b.limit)}`);
  }
  const after = b.after === undefined || b.after === null || b.after === '' ? 0 : Number(b.after);
  if (!Number.isInteger(after) || after < 0) throw validationError(`Invalid after: ${String(b.after)}`);
  if (after + limit > SEARCH_LIMITS.maxTotal) {
    throw validationError(`Paging past ${SEARCH_LIMITS.maxTotal} results is not supported`);
  }
  const query = b.query === undefined || b.query === null ? '' : String(b.query);
  if (query.length > SEARCH_LIMITS.maxQuery) throw validationError(`query must be at most ${SEARCH_LIMITS.maxQuery} characters`);
  const properties = Array.isArray(b.properties) ? b.properties.map(String) : undefined;
  const sorts = parseSorts(portal, cfg, b.sorts);

  const hits: Array<{ rec: CrmRecord; props: Record<string, string> }> = [];
  for (const rec of portal[cfg.type].values()) {
    const view = indexedView(rec, now, lagMs);
    if (!view || view.archived) continue;
    if (groups.length && !groups.some((fs) => fs.every((f) => matches(f, view.properties)))) continue;
    if (query && !queryMatch(cfg, view.properties, query)) continue;
    hits.push({ rec, props: view.properties });
  }
  const sort = sorts[0];
  if (sort) {
    const def = portal.schemas[cfg.type].properties.get(sort.propertyName)!;
    hits.sort((x, y) => {
      const a = x.props[sort.propertyName];
      const c = y.props[sort.propertyName];
      if (a === undefined || c === undefined) return a === c ? 0 : a === undefined ? 1 : -1;
      const r = compare(def, a, c);
      return sort.descending ? -r : r;
    });
  } else {
    hits.sort((x, y) => Number(x.rec.id) - Number(y.rec.id));
  }
  const page = hits.slice(after, after + limit);
  const out: Record<string, unknown> = {
    total: Math.min(hits.length, SEARCH_LIMITS.maxTotal),
    results: page.map(({ rec, props }) =>
      serialize(portal, { ...rec, properties: props, archived: false }, cfg, { properties }),
    ),
  };
  if (after + limit < hits.length && after + limit < SEARCH_LIMITS.maxTotal) {
    out.paging = { next: { after: String(after + limit) } };
  }
  return out;
}

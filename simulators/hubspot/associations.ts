// HUBSPOT_DEFINED association types between the objects we simulate, and the association store.
import { validationError } from './errors.js';
import { SINGULAR } from './store.js';
import type { AssociationType, CrmRecord, ObjectTypeName, Portal } from './types.js';

interface AssocDef {
  from: ObjectTypeName;
  to: ObjectTypeName;
  typeId: number;
}

/** communication→contact 81 / contact→communication 82; task→contact 204 / contact→task 203 */
export const ASSOCIATION_TYPES: AssocDef[] = [
  { from: 'communications', to: 'contacts', typeId: 81 },
  { from: 'contacts', to: 'communications', typeId: 82 },
  { from: 'tasks', to: 'contacts', typeId: 204 },
  { from: 'contacts', to: 'tasks', typeId: 203 },
];

export function defaultTypeId(from: ObjectTypeName, to: ObjectTypeName): number | undefined {
  return ASSOCIATION_TYPES.find((a) => a.from === from && a.to === to)?.typeId;
}

function inverseTypeId(from: ObjectTypeName, to: ObjectTypeName): number | undefined {
  return defaultTypeId(to, from);
}

export function v3TypeName(from: ObjectTypeName, to: ObjectTypeName): string {
  return `${SINGULAR[from]}_to_${SINGULAR[to]}`;
}

function link(rec: CrmRecord, toType: ObjectTypeName, toId: string, t: AssociationType): void {
  let byId = rec.associations.get(toType);
  if (!byId) rec.associations.set(toType, (byId = new Map()));
  const list = byId.get(toId) ?? [];
  if (!list.some((x) => x.associationTypeId === t.associationTypeId && x.associationCategory === t.associationCategory)) {
    list.push(t);
  }
  byId.set(toId, list);
}

/** Stores the association in both directions. */
export function associate(from: CrmRecord, to: CrmRecord, typeId: number): void {
  const inverse = inverseTypeId(from.objectType, to.objectType);
  link(from, to.objectType, to.id, { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId });
  if (inverse !== undefined) {
    link(to, from.objectType, from.id, { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: inverse });
  }
}

export function dissociate(from: CrmRecord, to: CrmRecord): void {
  from.associations.get(to.objectType)?.delete(to.id);
  to.associations.get(from.objectType)?.delete(from.id);
}

interface AssociationInput {
  to?: { id?: unknown };
  types?: Array<{ associationCategory?: unknown; associationTypeId?: unknown }>;
}

/**
 * Validates the `associations` of a create input (before anything is written) and returns
 * the work to do once the record exists.
 */
export function planAssociations(
  portal: Portal,
  fromType: ObjectTypeName,
  input: unknown,
): Array<{ target: CrmRecord; typeId: number }> {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) throw validationError('associations must be an array');
  const plan: Array<{ target: CrmRecord; typeId: number }> = [];
  for (const raw of input as AssociationInput[]) {
    const toId = raw?.to?.id === undefined ? undefined : String(raw.to.id);
    if (!toId) throw validationError('Each association needs to.id');
    const types = Array.isArray(raw.types) ? raw.types : [];
    if (types.length === 0) throw validationError(`Association to ${toId} has no types`);
    for (const t of types) {
      const typeId = Number(t.associationTypeId);
      const def = ASSOCIATION_TYPES.find((a) => a.from === fromType && a.typeId === typeId);
      if (!def || t.associationCategory !== 'HUBSPOT_DEFINED') {
        throw validationError(
          `${String(t.associationCategory)} ${String(t.associationTypeId)} is not a valid association type from ${SINGULAR[fromType]}`,
        );
      }
      const target = portal[def.to].get(toId);
      if (!target || target.archived) {
        throw validationError(`One or more associations are invalid: ${SINGULAR[def.to]} ${toId} does not exist`, {
          context: { toObjectId: [toId] },
        });
      }
      plan.push({ target, typeId });
    }
  }
  return plan;
}

/** v3-style `associations` block of a GET with ?associations=… */
export function associationsBlock(rec: CrmRecord, toTypes: ObjectTypeName[]): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const toType of toTypes) {
    const byId = rec.associations.get(toType);
    if (!byId || byId.size === 0) continue;
    out[toType] = {
      results: [...byId.keys()].map((id) => ({ id, type: v3TypeName(rec.objectType, toType) })),
    };
  }
  return Object.keys(out).length ? out : undefined;
}

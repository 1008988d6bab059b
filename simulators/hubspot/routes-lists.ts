// /crm/lists/2026-03: lists and their memberships (HubSpot's Lists API, date-versioned paths).
//   GET  /{listId}               → {"list":{listId, name, objectTypeId, processingType, size, …}}; unknown → 404
//   GET  /{listId}/memberships   → {"results":[{recordId, membershipTimestamp}], "paging":{"next":{after,link}}, "total"}
//                                  ordered by recordId; `limit` 1…250 (default 100); `after` is an opaque cursor
//   POST /search                 → {"lists":[…], "hasMore", "offset", "total"}; `query` matches names, `count` ≤ 500
// Members whose record was archived or deleted are not returned (HubSpot drops them from lists).
import { Router } from 'express';
import { authOf, type Guard } from './auth.js';
import { apiError, validationError } from './errors.js';
import type { Portal, SimList } from './types.js';

export const LIST_SCOPES = { read: ['crm.lists.read', 'crm.lists.write'] };
export const MAX_MEMBERSHIP_PAGE = 250;

const iso = (ms: number) => new Date(ms).toISOString();

function liveMembers(portal: Portal, list: SimList): Array<{ recordId: string; at: number }> {
  const records = list.objectTypeId === '0-1' ? portal.contacts : undefined;
  return [...list.members.entries()]
    .filter(([id]) => !records || (records.get(id) && !records.get(id)!.archived))
    .map(([recordId, at]) => ({ recordId, at }))
    .sort((a, b) => Number(a.recordId) - Number(b.recordId));
}

function listJson(portal: Portal, l: SimList) {
  return {
    listId: l.listId,
    listVersion: l.listVersion,
    name: l.name,
    objectTypeId: l.objectTypeId,
    processingStatus: 'COMPLETE',
    processingType: l.processingType,
    createdAt: iso(l.createdAt),
    updatedAt: iso(l.updatedAt),
    filtersUpdatedAt: iso(l.updatedAt),
    createdById: l.createdById,
    updatedById: l.createdById,
    size: liveMembers(portal, l).length,
  };
}

function findList(portal: Portal, listId: string): SimList {
  const l = portal.lists.get(listId);
  if (!l || l.deleted) throw apiError(404, 'OBJECT_NOT_FOUND', `List does not exist with id ${listId}.`);
  return l;
}

// The cursor is opaque to clients; here it is the last record id returned, base64url encoded.
const cursorOf = (recordId: string) => Buffer.from(`m:${recordId}`).toString('base64url');
function afterOf(raw: unknown): number {
  if (raw === undefined || raw === '') return -1;
  const m = /^m:(\d+)$/.exec(Buffer.from(String(raw), 'base64url').toString('utf8'));
  if (!m) throw validationError(`Invalid paging cursor: ${String(raw)}`);
  return Number(m[1]);
}

export function listsRouter(guard: Guard): Router {
  const r = Router();

  r.post('/search', guard('lists.search', { scopes: LIST_SCOPES.read }), (req, res) => {
    const { portal } = authOf(res);
    const b = (req.body ?? {}) as { query?: unknown; offset?: unknown; count?: unknown; objectTypeId?: unknown; processingTypes?: unknown; listIds?: unknown };
    const offset = b.offset === undefined ? 0 : Number(b.offset);
    const count = b.count === undefined ? 20 : Number(b.count);
    if (!Number.isInteger(offset) || offset < 0) throw validationError('offset must be a non-negative integer');
    if (!Number.isInteger(count) || count < 1 || count > 500) throw validationError('count must be between 1 and 500');
    const q = typeof b.query === 'string' ? b.query.trim().toLowerCase() : '';
    const types = Array.isArray(b.processingTypes) && b.processingTypes.length ? b.processingTypes.map(String) : null;
    const ids = Array.isArray(b.listIds) && b.listIds.length ? new Set(b.listIds.map(String)) : null;
    const all = [...portal.lists.values()]
      .filter((l) => !l.deleted)
      .filter((l) => (typeof b.objectTypeId === 'string' ? l.objectTypeId === b.objectTypeId : true))
      .filter((l) => (!q || l.name.toLowerCase().includes(q)) && (!types || types.includes(l.processingType)) && (!ids || ids.has(l.listId)))
      .sort((a, b2) => b2.updatedAt - a.updatedAt || Number(a.listId) - Number(b2.listId));
    const page = all.slice(offset, offset + count).map((l) => {
      const { size, ...rest } = listJson(portal, l);
      // Search results carry the size as a string property, not a field.
      return { ...rest, additionalProperties: { hs_list_size: String(size), hs_list_reference_count: '0' } };
    });
    res.json({ lists: page, hasMore: offset + count < all.length, offset: offset + page.length, total: all.length });
  });

  r.get('/:listId', guard('lists.get', { scopes: LIST_SCOPES.read }), (req, res) => {
    const { portal } = authOf(res);
    res.json({ list: listJson(portal, findList(portal, String(req.params.listId))) });
  });

  r.get('/:listId/memberships', guard('lists.memberships', { scopes: LIST_SCOPES.read }), (req, res) => {
    const { portal } = authOf(res);
    const list = findList(portal, String(req.params.listId));
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_MEMBERSHIP_PAGE) throw validationError(`limit must be between 1 and ${MAX_MEMBERSHIP_PAGE}`);
    const after = afterOf(req.query.after);
    const members = liveMembers(portal, list);
    const rest = members.filter((m) => Number(m.recordId) > after);
    const page = rest.slice(0, limit);
    const body: Record<string, unknown> = {
      results: page.map((m) => ({ recordId: m.recordId, membershipTimestamp: iso(m.at) })),
      total: members.length,
    };
    if (rest.length > limit) {
      const next = cursorOf(page[page.length - 1]!.recordId);
      body.paging = { next: { after: next, link: `${req.baseUrl}/${list.listId}/memberships?after=${next}&limit=${limit}` } };
    }
    res.json(body);
  });

  return r;
}

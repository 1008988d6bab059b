import type { Queryable } from '../db/database.js';
import type { TaskRequest } from '../seams.js';
import { ASSOCIATION } from './client.js';
import type { HubSpotCore } from './core.js';
import type { StepResult } from './drainer.js';
import { HubSpotApiError, HubSpotInDoubtError, PortalNotConnectedError } from './errors.js';
import type { IdentityResolver } from './identity.js';
import { OUTBOX, PortalOutbox } from './outbox.js';

export const TASKS_DRAIN_QUEUE = 'hubspot.tasks.drain';
export type { TaskRequest } from '../seams.js';

const BATCH = 100;
const MAX_ATTEMPTS = OUTBOX.maxAttempts;
/** The reference written into the task body, to find a created task whose answer was lost. */
const taskRef = (t: { conversation_id: number; generation: number }) =>
  t.generation > 1 ? `wa-conversation-${t.conversation_id}-${t.generation}` : `wa-conversation-${t.conversation_id}`;

interface TaskRow {
  id: number;
  generation: number;
  conversation_id: number;
  contact_id: number;
  hubspot_task_id: string | null;
  owner_id: string | null;
  subject: string;
  body: string;
  priority: string;
  status: 'open' | 'completed';
  due_at: Date | null;
  version: number;
  in_doubt: boolean;
  updated_at: Date;
}

/**
 * HubSpot tasks for agents (F17 notifications), in generations: a conversation's first request
 * creates a task, later ones update it (owner, subject, body, priority); completing closes it, and
 * a request after that opens a NEW generation — a new row, a new HubSpot task. A completed row is
 * never set open again, so a request that lands while HubSpot is applying the completion (and
 * before we recorded it) cannot reopen the completed task. Durable: stored with the caller's transaction.
 */
export class TaskSync extends PortalOutbox {
  constructor(
    core: HubSpotCore,
    private readonly identity: IdentityResolver,
  ) {
    super(core, TASKS_DRAIN_QUEUE);
  }

  async enqueue(q: Queryable, t: TaskRequest): Promise<void> {
    // The latest generation when it is open; else (none yet, or completed) the next one.
    await q.query(
      `WITH latest AS (SELECT generation, status FROM hubspot_tasks WHERE conversation_id = $1 ORDER BY generation DESC LIMIT 1)
       INSERT INTO hubspot_tasks (conversation_id, portal_id, contact_id, owner_id, subject, body, kind, priority, due_at, generation)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
               COALESCE((SELECT CASE WHEN status = 'open' THEN generation ELSE generation + 1 END FROM latest), 1))
       ON CONFLICT (conversation_id, generation) DO UPDATE SET
         contact_id = EXCLUDED.contact_id, owner_id = EXCLUDED.owner_id, subject = EXCLUDED.subject, body = EXCLUDED.body,
         kind = EXCLUDED.kind, priority = EXCLUDED.priority, due_at = EXCLUDED.due_at,
         version = hubspot_tasks.version + 1, attempts = 0, updated_at = now()
       WHERE hubspot_tasks.status = 'open'`,
      [t.conversationId, t.portalId, t.contactId, t.ownerId, t.subject.slice(0, 500), t.body.slice(0, 60_000), t.kind, t.priority ?? 'MEDIUM', t.dueAt ?? null],
    );
    await this.scheduleDrain(t.portalId, q);
  }

  async complete(q: Queryable, p: { portalId: number; conversationId: number }): Promise<void> {
    const r = await q.query(
      `UPDATE hubspot_tasks SET status = 'completed', version = version + 1, attempts = 0, updated_at = now()
        WHERE conversation_id = $1 AND portal_id = $2 AND status = 'open'`,
      [p.conversationId, p.portalId],
    );
    if (r.rowCount) await this.scheduleDrain(p.portalId, q);
  }

  async portalsWithBacklog(): Promise<number[]> {
    const r = await this.ctx.db.query<{ portal_id: number }>(
      `SELECT DISTINCT t.portal_id FROM hubspot_tasks t JOIN portals p ON p.id = t.portal_id
        WHERE t.version > t.synced_version AND t.attempts < $2 AND (t.lease_until IS NULL OR t.lease_until < $1)
          AND p.status = 'installed' AND p.refresh_token_enc IS NOT NULL`,
      [this.ctx.clock.now(), MAX_ATTEMPTS],
    );
    return r.rows.map((x) => Number(x.portal_id));
  }

  private properties(t: TaskRow): Record<string, string> {
    const p: Record<string, string> = {
      hs_task_subject: t.subject,
      hs_task_body: `${t.body}\n\nref ${taskRef(t)}`,
      hs_task_status: t.status === 'completed' ? 'COMPLETED' : 'NOT_STARTED',
      hs_task_priority: t.priority,
      hs_task_type: 'TODO',
      hs_timestamp: (t.due_at ?? t.updated_at).toISOString(),
    };
    if (t.owner_id) p.hubspot_owner_id = t.owner_id;
    return p;
  }

  async step(portalId: number): Promise<StepResult> {
    if (!(await this.core.isConnected(portalId))) return { kind: 'blocked' };
    const now = this.ctx.clock.now().getTime();
    const claimed = await this.ctx.db.query<TaskRow>(
      `UPDATE hubspot_tasks SET lease_owner = $2, lease_until = $3
        WHERE id IN (
          SELECT id FROM hubspot_tasks
           WHERE portal_id = $1 AND version > synced_version AND attempts < ${MAX_ATTEMPTS} AND (lease_until IS NULL OR lease_until < $4)
           ORDER BY updated_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [portalId, this.core.instanceId, new Date(now + OUTBOX.leaseMs), new Date(now)],
    );
    const rows = claimed.rows.map((r) => ({ ...r, id: Number(r.id), conversation_id: Number(r.conversation_id), contact_id: Number(r.contact_id) }));
    if (!rows.length) return { kind: 'empty' };
    const client = this.core.client(portalId);
    let firstError: Error | undefined;

    const links = await this.identity.ensureMany(portalId, rows.map((r) => r.contact_id));
    const updates: TaskRow[] = [];
    for (const t of rows) {
      const hs = links.get(t.contact_id);
      if (hs instanceof PortalNotConnectedError) {
        await this.release(rows.map((r) => r.id));
        return { kind: 'blocked' };
      }
      if (typeof hs !== 'string') {
        firstError ??= hs ?? new Error('contact not linked');
        await this.fail(t.id, String((hs as Error | undefined)?.message ?? 'contact not linked'));
        continue;
      }
      if (t.hubspot_task_id) {
        updates.push(t);
        continue;
      }
      try {
        let id = t.in_doubt ? await this.findCreated(portalId, t) : null;
        if (!id) {
          await this.ctx.db.query('UPDATE hubspot_tasks SET in_doubt = true WHERE id = $1', [t.id]);
          const created = await client.createTask(this.properties(t), [
            { to: { id: hs }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: ASSOCIATION.taskToContact }] },
          ]);
          id = created.id;
        }
        await this.synced(t, id);
      } catch (err) {
        if (err instanceof PortalNotConnectedError) {
          await this.release(rows.map((r) => r.id));
          return { kind: 'blocked' };
        }
        if (!(err instanceof HubSpotInDoubtError)) {
          await this.ctx.db.query('UPDATE hubspot_tasks SET in_doubt = false WHERE id = $1', [t.id]);
        }
        firstError ??= err as Error;
        await this.fail(t.id, (err as Error).message);
      }
    }

    for (let i = 0; i < updates.length; i += BATCH) {
      const chunk = updates.slice(i, i + BATCH);
      try {
        const res = await client.batchUpdateTasks(chunk.map((t) => ({ id: t.hubspot_task_id!, properties: this.properties(t) })));
        const missing = new Set((res.errors ?? []).flatMap((e) => e.context?.ids ?? []));
        for (const t of chunk) {
          if (missing.has(t.hubspot_task_id!) && t.status === 'open') {
            // Deleted in HubSpot: create it again next round.
            await this.ctx.db.query('UPDATE hubspot_tasks SET hubspot_task_id = NULL, lease_until = NULL WHERE id = $1', [t.id]);
          } else await this.synced(t, t.hubspot_task_id!);
        }
      } catch (err) {
        if (err instanceof PortalNotConnectedError) return { kind: 'blocked' };
        firstError ??= err as Error;
        for (const t of chunk) await this.fail(t.id, (err as Error).message);
      }
    }
    if (firstError && !(firstError instanceof HubSpotApiError && firstError.status < 500)) throw firstError;
    return { kind: 'progress' };
  }

  /** A create whose answer was lost: find the task by its reference before creating another. */
  private async findCreated(portalId: number, t: TaskRow): Promise<string | null> {
    const res = await this.core.client(portalId).searchTasks({
      filterGroups: [{ filters: [{ propertyName: 'hs_task_subject', operator: 'EQ', value: t.subject }] }],
      properties: ['hs_task_body'],
      limit: 100,
    });
    const ref = `ref ${taskRef(t)}`;
    return res.results.find((o) => String(o.properties?.hs_task_body ?? '').trimEnd().endsWith(ref))?.id ?? null;
  }

  private async synced(t: TaskRow, hubspotTaskId: string): Promise<void> {
    await this.ctx.db.query(
      `UPDATE hubspot_tasks SET hubspot_task_id = $2, synced_version = GREATEST(synced_version, $3), in_doubt = false,
         lease_owner = NULL, lease_until = NULL, last_error = NULL WHERE id = $1`,
      [t.id, hubspotTaskId, t.version],
    );
  }

  private async release(ids: number[]): Promise<void> {
    await this.ctx.db.query('UPDATE hubspot_tasks SET lease_owner = NULL, lease_until = NULL WHERE id = ANY($1::bigint[])', [ids]);
  }

  private async fail(id: number, message: string): Promise<void> {
    await this.ctx.db.query(
      `UPDATE hubspot_tasks SET attempts = attempts + 1, last_error = $2, lease_owner = NULL, lease_until = ${OUTBOX.backoffSql('attempts', '$3')}
       WHERE id = $1`,
      [id, message.slice(0, 500), this.ctx.clock.now()],
    );
  }
}

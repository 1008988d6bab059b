import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors.js';
import type { OutboundRequest, WhatsAppSender } from '../whatsapp/types.js';
import { portalNumber } from '../whatsapp/numbers.js';
import type { ContactLinker } from '../seams.js';
import { prelinkAudience } from './prelink.js';
import type { CampaignRow } from './repo.js';

export const CAMPAIGN_RUN_QUEUE = 'campaigns.run';

interface ClaimedRecipient {
  id: number;
  contact_id: number | null;
  parameters: string[];
  header_media_url: string | null;
  opted_out: boolean | null;
}

export interface RunnerOptions {
  /** A runner's hold on a campaign; renewed while it works, taken over by another instance once lapsed. */
  leaseMs?: number;
  /** A claimed recipient not finished after this is presumed abandoned (its runner died) and retried. */
  staleClaimMs?: number;
  /** One job works this long, then hands over to a fresh job (restarts and deploys pick it up). */
  sliceMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Sends a running campaign: one runner per campaign at a time (a lease on the campaign row), each
 * recipient claimed before it is sent, sent with the client key `campaign:<id>:<recipient>`, so a
 * recipient retried after a crash gets the message stored the first time instead of a second send.
 * Pacing is the sender's: the number's shared limiter, on the bulk lane (replies go first).
 */
export class CampaignRunner {
  readonly instanceId = randomUUID();
  private readonly leaseMs: number;
  private readonly staleClaimMs: number;
  private readonly sliceMs: number;

  constructor(
    private readonly ctx: AppContext,
    private readonly sender: () => WhatsAppSender,
    opts: RunnerOptions = {},
    private readonly linker?: ContactLinker,
  ) {
    this.leaseMs = opts.leaseMs ?? 10_000;
    this.staleClaimMs = opts.staleClaimMs ?? 60_000;
    this.sliceMs = opts.sliceMs ?? 60_000;
  }

  /** The `campaigns.run` job. Returns when the campaign is done, paused, cancelled, held by another runner, or the slice ends. */
  async run(campaignId: number): Promise<void> {
    let camp = await this.lease(campaignId);
    if (!camp) return;
    await this.adoptAbandoned(campaignId);
    const number = await portalNumber(this.ctx.db.pool, camp.portal_id, camp.phone_number_id);
    const rate = number?.throughput_per_second ?? this.ctx.config.whatsapp.throughputPerSecond;
    const inFlight = Math.max(8, Math.min(64, Math.ceil(rate / 4)));
    const sliceEnd = Date.now() + this.sliceMs;
    const queue: ClaimedRecipient[] = [];
    let exhausted = false;
    let refill: Promise<void> | undefined;
    const fill = () =>
      (refill ??= this.claim(campaignId, inFlight * 2).then((rows) => {
        queue.push(...rows);
        if (!rows.length) exhausted = true;
        refill = undefined;
      }));
    const prelink = this.linker ? prelinkAudience(this.ctx, this.linker, { id: campaignId, portalId: camp.portal_id }) : undefined;
    // The lease renewal doubles as the pause/cancel check: a few times a second.
    let live = true;
    const watch = setInterval(() => {
      void this.lease(campaignId).then((c) => {
        if (!c) live = false;
        else camp = c;
      }, () => undefined);
    }, Math.min(250, this.leaseMs / 4));
    try {
      const worker = async () => {
        while (live && Date.now() < sliceEnd) {
          if (queue.length < inFlight && !exhausted) void fill();
          const r = queue.shift();
          if (!r) {
            if (exhausted) return;
            await (refill ?? sleep(10));
            continue;
          }
          await this.sendOne(camp!, r);
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
    } finally {
      clearInterval(watch);
      await prelink?.stop();
      await refill?.catch(() => undefined);
      if (queue.length) await this.release(queue.map((r) => r.id));
    }
    if (!live) return;
    if (exhausted && (await this.complete(campaignId))) return;
    await this.releaseLease(campaignId);
    // The next slice; when only other runners' claims are left, look again shortly (they finish or go stale).
    await this.ctx.jobs.send(CAMPAIGN_RUN_QUEUE, { campaignId }, exhausted ? { startAfterSeconds: 2 } : {});
  }

  /** Takes or renews this runner's lease while the campaign is running; undefined: not ours to run. */
  private async lease(campaignId: number): Promise<CampaignRow | undefined> {
    const r = await this.ctx.db.query<CampaignRow>(
      `UPDATE campaigns SET runner_id = $2, runner_until = now() + $3 * interval '1 millisecond'
        WHERE id = $1 AND status = 'running' AND (runner_id IS NULL OR runner_id = $2 OR runner_until < now()) RETURNING *`,
      [campaignId, this.instanceId, this.leaseMs],
    );
    return r.rows[0];
  }

  /**
   * Holding the lease, every claim by another runner is abandoned (that runner lost its lease: it died,
   * or stops within a lease tick): back to pending at once rather than after `staleClaimMs`. Safe even
   * if that runner is still finishing a send: the client key and the sender's dispatch claim send it once.
   */
  private async adoptAbandoned(campaignId: number): Promise<void> {
    const r = await this.ctx.db.query(
      `UPDATE campaign_recipients SET state = 'pending', claimed_by = NULL, claimed_at = NULL, updated_at = now()
        WHERE campaign_id = $1 AND state = 'claimed' AND claimed_by IS DISTINCT FROM $2`,
      [campaignId, this.instanceId],
    );
    if (r.rowCount) this.ctx.logger.info({ campaignId, recipients: r.rowCount }, 'campaign taken over: abandoned claims back to pending');
  }

  private async releaseLease(campaignId: number): Promise<void> {
    await this.ctx.db.query(`UPDATE campaigns SET runner_id = NULL, runner_until = NULL WHERE id = $1 AND runner_id = $2`, [campaignId, this.instanceId]);
  }

  /** Claims the next pending recipients (and any whose claimant died), skipping those who opted out since. */
  private async claim(campaignId: number, n: number): Promise<ClaimedRecipient[]> {
    const r = await this.ctx.db.query<ClaimedRecipient>(
      `WITH next AS (
         SELECT id FROM campaign_recipients
          WHERE campaign_id = $1 AND (state = 'pending' OR (state = 'claimed' AND claimed_at < now() - $4 * interval '1 millisecond'))
          ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE campaign_recipients r SET state = 'claimed', claimed_by = $2, claimed_at = now(), updated_at = now()
         FROM next WHERE r.id = next.id
       RETURNING r.id, r.contact_id, r.parameters, r.header_media_url,
                 (SELECT opted_out FROM contacts c WHERE c.id = r.contact_id) AS opted_out`,
      [campaignId, this.instanceId, n, this.staleClaimMs],
    );
    const out: ClaimedRecipient[] = [];
    const optedOut: number[] = [];
    for (const row of r.rows.sort((a, b) => Number(a.id) - Number(b.id))) {
      if (row.opted_out || row.contact_id === null) optedOut.push(Number(row.id));
      else out.push({ ...row, id: Number(row.id), contact_id: Number(row.contact_id) });
    }
    if (optedOut.length) {
      await this.ctx.db.query(`UPDATE campaign_recipients SET state = 'skipped', reason = 'OPTED_OUT', updated_at = now() WHERE id = ANY($1::bigint[])`, [optedOut]);
    }
    return out;
  }

  private async release(ids: number[]): Promise<void> {
    await this.ctx.db.query(
      // Back to pending — unless the campaign was cancelled meanwhile: then skipped like the rest.
      `UPDATE campaign_recipients r
          SET state = CASE WHEN c.status = 'cancelled' THEN 'skipped' ELSE 'pending' END,
              reason = CASE WHEN c.status = 'cancelled' THEN 'CANCELLED' ELSE NULL END,
              claimed_by = NULL, claimed_at = NULL, updated_at = now()
         FROM campaigns c
        WHERE c.id = r.campaign_id AND r.id = ANY($1::bigint[]) AND r.state = 'claimed' AND r.claimed_by = $2`,
      [ids, this.instanceId],
    );
  }

  private async sendOne(camp: CampaignRow, r: ClaimedRecipient): Promise<void> {
    const req: OutboundRequest = {
      portalId: camp.portal_id,
      contactId: r.contact_id!,
      phoneNumberId: camp.phone_number_id,
      sender: 'campaign',
      clientKey: `campaign:${camp.id}:${r.id}`,
      content: {
        kind: 'template',
        name: camp.template_name,
        language: camp.language,
        parameters: r.parameters,
        ...(r.header_media_url && camp.header_media_type ? { headerMedia: { type: camp.header_media_type, link: r.header_media_url } } : {}),
      },
    };
    try {
      // Retried after its runner died, the recipient gets the message stored the first time (never a second):
      // the sender's reconciler resumes one never handed to Meta (docs/whatsapp.md "Interrupted sends").
      const m = await this.sender().send(req);
      await this.finish(r.id, 'sent', null, m.id);
    } catch (err) {
      if (!(err instanceof AppError)) {
        // Not a verdict on this recipient (database, network): back in the queue; the client key prevents a double send.
        this.ctx.logger.warn({ err, campaignId: camp.id, recipientId: r.id }, 'campaign send interrupted; recipient will be retried');
        await this.release([r.id]).catch(() => undefined);
        return;
      }
      if (err.code === 'PORTAL_UNINSTALLED') {
        // Not this recipient's fault: the campaign stops (paused, resumable after a reinstall) and the recipient waits.
        await this.ctx.db.query(`UPDATE campaigns SET status = 'paused', runner_id = NULL, runner_until = NULL, updated_at = now() WHERE id = $1 AND status = 'running'`, [camp.id]);
        await this.release([r.id]);
        return;
      }
      const d = (err.details ?? {}) as { code?: unknown };
      const reason = d.code !== undefined ? `${String(d.code)} ${err.message}` : `${err.code} ${err.message}`;
      const msg = await this.ctx.db.query<{ id: number }>(`SELECT id FROM messages WHERE portal_id = $1 AND client_key = $2`, [camp.portal_id, req.clientKey]);
      await this.finish(r.id, 'failed', reason.slice(0, 500), msg.rows[0]?.id ?? null);
    }
  }

  private async finish(id: number, state: 'sent' | 'failed', reason: string | null, messageId: number | null): Promise<void> {
    await this.ctx.db.query(`UPDATE campaign_recipients SET state = $2, reason = $3, message_id = $4, updated_at = now() WHERE id = $1 AND state = 'claimed'`, [
      id,
      state,
      reason,
      messageId,
    ]);
  }

  /** Completed once no recipient is pending or claimed. */
  private async complete(campaignId: number): Promise<boolean> {
    const r = await this.ctx.db.query(
      `UPDATE campaigns SET status = 'completed', finished_at = $2, updated_at = $2, runner_id = NULL, runner_until = NULL
        WHERE id = $1 AND status = 'running'
          AND NOT EXISTS (SELECT 1 FROM campaign_recipients WHERE campaign_id = $1 AND state IN ('pending', 'claimed'))`,
      [campaignId, this.ctx.clock.now()],
    );
    return r.rowCount === 1;
  }
}

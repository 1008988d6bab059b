import type { AppContext } from '../app-context.js';
import type { ContactLinker } from '../seams.js';

/** Recipients looked at per round: 5 HubSpot searches and 5 batch creates at most (100 a call). */
const AHEAD = 500;

/**
 * Links a running campaign's audience to HubSpot ahead of its sends. Left to the timeline, each of
 * its batches (the messages of about a second) costs its own contact search and create, half
 * empty at campaign rates; ahead of the sends they go 100 contacts a call, so the timeline only
 * logs (bench:campaign: HubSpot calls per message). Best effort: whoever is not linked in time is
 * linked by the timeline as before.
 */
export function prelinkAudience(ctx: AppContext, linker: ContactLinker, campaign: { id: number; portalId: number }): { stop(): Promise<void> } {
  let stopped = false;
  const run = async () => {
    let after = 0;
    while (!stopped) {
      const r = await ctx.db.query<{ id: number; contact_id: number }>(
        `SELECT r.id, r.contact_id FROM campaign_recipients r JOIN contacts c ON c.id = r.contact_id
          WHERE r.campaign_id = $1 AND r.id > $2 AND r.state IN ('pending', 'claimed') AND c.hubspot_contact_id IS NULL
          ORDER BY r.id LIMIT $3`,
        [campaign.id, after, AHEAD],
      );
      if (!r.rows.length) return;
      after = Number(r.rows.at(-1)!.id);
      if (!(await linker.linkContacts(campaign.portalId, r.rows.map((x) => Number(x.contact_id))))) return; // not connected to HubSpot
    }
  };
  const done = run().catch((err: unknown) => ctx.logger.warn({ err, campaignId: campaign.id }, 'campaign audience could not be linked to HubSpot ahead; the timeline links it'));
  return {
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

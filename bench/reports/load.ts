import type { Database } from '../../src/db/database.js';

export const PORTAL_ID = 4242;
export const NUMBERS = 3;
export const AGENTS = 20;

/**
 * Bulk-loads the benchmark's history into the real tables with generate_series on a fresh
 * database: `conversations` conversations over 90 days ending at `end`, `perConversation` messages
 * each, 20 agents, 3 numbers, and the reporting events + rollup rows the event path would write
 * (opened, routed, first_reply for 90%, resolved for 80%). Ids start at 1 (fresh sequences).
 */
export async function loadHistory(db: Database, o: { end: Date; conversations: number; perConversation: number }): Promise<void> {
  const n = o.conversations;
  const step = (90 * 86_400) / n; // seconds between conversation starts
  const q = (sql: string, params: unknown[] = []) => db.query(sql, params);
  await q(`INSERT INTO portals (id, installed_by_user_id) VALUES ($1, 1)`, [PORTAL_ID]);
  await q(
    `INSERT INTO whatsapp_numbers (portal_id, phone_number_id, waba_id, label, access_token_enc)
     SELECT $1, 'pn' || i, 'waba', 'Number ' || i, 'x' FROM generate_series(1, ${NUMBERS}) i`,
    [PORTAL_ID],
  );
  await q(
    `INSERT INTO agents (portal_id, owner_id, user_id, email, name) SELECT $1, (1000 + i)::text, 2000 + i, 'agent' || i || '@bench.test', 'Agent ' || i
     FROM generate_series(1, ${AGENTS}) i`,
    [PORTAL_ID],
  );
  await q(
    `INSERT INTO contacts (portal_id, wa_id, phone_e164, profile_name, consent)
     SELECT $1, (573000000000 + i)::text, '+' || (573000000000 + i), 'Customer ' || i, 'granted' FROM generate_series(1, ${n}) i`,
    [PORTAL_ID],
  );
  // One conversation per contact: i-th starts i*step seconds before the end; the figures vary by i.
  await q(`CREATE UNLOGGED TABLE bench_conv AS
     SELECT i, date_trunc('second', $1::timestamptz - make_interval(secs => i * ${step})) AS started,
            'pn' || (1 + i % ${NUMBERS}) AS pn, 1 + (i * 7) % ${AGENTS} AS agent,
            CASE WHEN i % 10 <> 0 THEN 30 + (i * 2654435761::bigint) % 3600 END AS frt,
            CASE WHEN i % 5 <> 0 THEN 900 + (i * 40503::bigint) % 20000 END AS res
       FROM generate_series(1, ${n}) i`, [o.end]);
  await q(`UPDATE bench_conv SET res = NULL WHERE frt IS NULL`);
  await q(
    `INSERT INTO conversations (portal_id, contact_id, phone_number_id, status, assignee_agent_id, label, opened_at, assigned_at,
       first_response_at, resolved_at, created_at, updated_at)
     SELECT $1, i, pn, CASE WHEN res IS NULL THEN 'open' ELSE 'resolved' END, agent, CASE WHEN res IS NULL THEN NULL ELSE 'Resolved' END,
            started, started, started + make_interval(secs => frt), started + make_interval(secs => res), started, started
       FROM bench_conv ORDER BY i`,
    [PORTAL_ID],
  );
  await q(
    `INSERT INTO messages (portal_id, contact_id, conversation_id, phone_number_id, direction, type, text, status, sender, agent_id, sent_at)
     SELECT $1, c.i, c.i, c.pn, CASE WHEN k % 2 = 1 THEN 'in' ELSE 'out' END, 'text', 'message ' || k,
            CASE WHEN k % 2 = 1 THEN 'received' ELSE 'delivered' END, CASE WHEN k % 2 = 1 THEN 'customer' ELSE 'agent' END,
            CASE WHEN k % 2 = 1 THEN NULL ELSE c.agent END, c.started + make_interval(secs => k * 45)
       FROM bench_conv c CROSS JOIN generate_series(1, ${o.perConversation}) k`,
    [PORTAL_ID],
  );
  await q(
    `INSERT INTO report_conversations (conversation_id, portal_id, contact_id, phone_number_id, origin, started_at, agent_id, first_response_at,
       first_response_agent_id, first_response_seconds, first_response_business_seconds, resolved_at, resolution_seconds, label)
     SELECT i, $1, i, pn, 'customer', started, agent, started + make_interval(secs => frt), CASE WHEN frt IS NULL THEN NULL ELSE agent END, frt,
            frt / 2, started + make_interval(secs => res), res, CASE WHEN res IS NULL THEN NULL ELSE 'Resolved' END
       FROM bench_conv`,
    [PORTAL_ID],
  );
  await q(
    `INSERT INTO reporting_events (portal_id, conversation_id, phone_number_id, kind, agent_id, label, started_at, value_seconds, business_seconds, at)
     SELECT $1::bigint, i, pn, 'opened', NULL::bigint, NULL::text, started, NULL::int, NULL::int, started FROM bench_conv
     UNION ALL SELECT $1, i, pn, 'routed', agent, NULL, NULL, NULL, NULL, started FROM bench_conv
     UNION ALL SELECT $1, i, pn, 'first_reply', agent, NULL, started, frt, frt / 2, started + make_interval(secs => frt) FROM bench_conv WHERE frt IS NOT NULL
     UNION ALL SELECT $1, i, pn, 'resolved', agent, 'Resolved', started, res, NULL, started + make_interval(secs => res) FROM bench_conv WHERE res IS NOT NULL`,
    [PORTAL_ID],
  );
  await q('DROP TABLE bench_conv');
  await q('ANALYZE');
}

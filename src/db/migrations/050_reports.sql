-- Reports domain (F23): reporting events written in the same transaction as the change they record,
-- and one rollup row per conversation that the dashboard and the CSV export read.

-- Append-only: what happened to a conversation, with the durations it closed (Chatwoot's ReportingEvent).
CREATE TABLE reporting_events (
  id               BIGSERIAL PRIMARY KEY,
  portal_id        BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  conversation_id  BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  phone_number_id  TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('opened', 'routed', 'assigned', 'transferred', 'unassigned', 'first_reply', 'resolved', 'reopened')),
  agent_id         BIGINT REFERENCES agents(id) ON DELETE SET NULL,
  from_agent_id    BIGINT REFERENCES agents(id) ON DELETE SET NULL,
  label            TEXT,
  started_at       TIMESTAMPTZ,          -- the start the durations count from
  value_seconds    INT,                  -- first_reply: first response; resolved: resolution (wall clock)
  business_seconds INT,                  -- the same inside the portal's business hours
  at               TIMESTAMPTZ NOT NULL, -- when it happened (Meta's timestamp for customer messages)
  recorded_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX reporting_events_conversation ON reporting_events (conversation_id, id);

-- Rollup of the events, one row per conversation that reached the agents' queue (or a rep started),
-- updated by the same call that appends the event. Rebuildable from reporting_events.
CREATE TABLE report_conversations (
  conversation_id                 BIGINT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
  portal_id                       BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  contact_id                      BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  phone_number_id                 TEXT NOT NULL,
  origin                          TEXT NOT NULL CHECK (origin IN ('customer', 'rep')),
  started_at                      TIMESTAMPTZ NOT NULL,
  agent_id                        BIGINT REFERENCES agents(id) ON DELETE SET NULL,
  transfers                       INT NOT NULL DEFAULT 0,
  first_response_at               TIMESTAMPTZ,
  first_response_agent_id         BIGINT REFERENCES agents(id) ON DELETE SET NULL,
  first_response_seconds          INT,
  first_response_business_seconds INT,
  resolved_at                     TIMESTAMPTZ,
  resolution_seconds              INT,
  label                           TEXT
);
-- Every report reads one portal's date range; the covering columns keep it an index-only-ish scan.
CREATE INDEX report_conversations_range ON report_conversations (portal_id, started_at)
  INCLUDE (agent_id, phone_number_id, origin, first_response_at, first_response_seconds, first_response_business_seconds, resolved_at, resolution_seconds);

-- Single-use CSV download links (POST /api/v1/reports/exports). Only the token's hash is stored.
CREATE TABLE report_exports (
  token_hash  TEXT PRIMARY KEY,
  portal_id   BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  user_id     BIGINT,
  params      JSONB NOT NULL,
  expires_at  TIMESTAMPTZ NOT NULL,
  used_at     TIMESTAMPTZ,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

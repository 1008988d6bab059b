-- Template authoring (F5), reminders and out-of-hours notices (F7), bot flows (F10).

-- A template Meta rejected: the admin gets one HubSpot task per rejection (with Meta's reason).
CREATE TABLE template_review_notices (
  id               BIGSERIAL PRIMARY KEY,
  portal_id        BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  waba_id          TEXT NOT NULL,
  name             TEXT NOT NULL,
  language         TEXT NOT NULL,
  reason           TEXT,
  recommendation   TEXT,
  hubspot_task_id  TEXT,
  attempts         INT NOT NULL DEFAULT 0,
  last_error       TEXT,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX template_review_notices_pending ON template_review_notices (portal_id) WHERE hubspot_task_id IS NULL;

-- Automatic sends that fire once per conversation, kind and period (reminder, out-of-hours notice),
-- on every instance: whoever inserts the row sends.
CREATE TABLE automation_claims (
  conversation_id  BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  kind             TEXT NOT NULL,
  period_key       TEXT NOT NULL,
  state            TEXT NOT NULL DEFAULT 'claimed' CHECK (state IN ('claimed', 'sent', 'skipped')),
  message_id       BIGINT,
  detail           TEXT,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, kind, period_key)
);

-- A conversation going through the bot flow between consent and routing (one per conversation).
CREATE TABLE bot_flow_sessions (
  conversation_id  BIGINT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
  portal_id        BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  step             INT NOT NULL DEFAULT 0,
  attempts         INT NOT NULL DEFAULT 0,
  answers          JSONB NOT NULL DEFAULT '{}',
  route            JSONB,
  state            TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done')),
  started_at       TIMESTAMPTZ NOT NULL,
  updated_at       TIMESTAMPTZ NOT NULL
);

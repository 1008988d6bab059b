-- Issue 17: one bad webhook event costs only itself; interrupted sends are resumed or reconciled.

-- The exact bytes Meta signed. TEXT refuses a NUL byte (and the whole group-commit transaction with
-- it); BYTEA stores any body.
ALTER TABLE webhook_events ALTER COLUMN raw_body TYPE BYTEA USING convert_to(raw_body, 'UTF8');
-- Failed processing attempts of the event as a whole (an item that fails is quarantined, not counted).
ALTER TABLE webhook_events ADD COLUMN attempts INT NOT NULL DEFAULT 0;
ALTER TABLE webhook_events ADD COLUMN last_error TEXT;
-- quarantined: the event as a whole failed too often; its row in webhook_quarantine says why.
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_state_check;
ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_state_check
  CHECK (state IN ('pending', 'processed', 'unrouted', 'partially_unrouted', 'invalid', 'quarantined'));

-- What could not be processed: a whole event (item_ref '') or one item of it (its path in the body,
-- e.g. entry[0].changes[0].value.messages[2]). Neighbours are processed; an operator lists these
-- and replays them (npm run events, docs/whatsapp.md "Dead events").
CREATE TABLE webhook_quarantine (
  id               BIGSERIAL PRIMARY KEY,
  event_id         BIGINT NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
  item_ref         TEXT NOT NULL DEFAULT '',
  kind             TEXT NOT NULL,          -- event, message, status, template_status, …
  item_key         TEXT,                   -- the wamid (and status) when known
  reason           TEXT NOT NULL,
  attempts         INT NOT NULL DEFAULT 1,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  resolved_at      TIMESTAMPTZ,            -- set when a replay processed it
  UNIQUE (event_id, item_ref)
);
CREATE INDEX webhook_quarantine_open ON webhook_quarantine (id) WHERE resolved_at IS NULL;

-- Outbound sends, at most once at Meta (docs/whatsapp.md "Interrupted sends"):
-- dispatch_pending = true: we know Meta has not been called for the current attempt (set when the
-- row is stored and when Meta answered an attempt with a retryable error); the sender clears it
-- with a compare-and-set right before calling Meta. false (the default, and every older row) means
-- Meta may have the message: it is never sent again, only reconciled by a status webhook or failed.
ALTER TABLE messages ADD COLUMN dispatch_pending BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE messages ADD COLUMN dispatched_at TIMESTAMPTZ;
CREATE INDEX messages_send_open ON messages (sent_at) WHERE direction = 'out' AND status = 'accepted' AND wamid IS NULL;
-- A send the previous code deferred (Meta answered its last call with an error; its retry job has
-- not run yet) may be called again: mark it pending so that job can claim it.
DO $$
BEGIN
  IF to_regclass('pgboss.job') IS NOT NULL THEN
    UPDATE messages m SET dispatch_pending = true
     WHERE m.direction = 'out' AND m.status = 'accepted' AND m.wamid IS NULL
       AND EXISTS (SELECT 1 FROM pgboss.job j
                    WHERE j.name = 'whatsapp.send-retry' AND j.state IN ('created', 'retry') AND j.data->>'messageId' = m.id::text);
  END IF;
END $$;

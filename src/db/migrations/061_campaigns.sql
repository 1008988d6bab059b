-- Campaigns (F22, issue 14): one template sent to an audience, paced at the number's rate.
CREATE TABLE campaigns (
  id                    BIGSERIAL PRIMARY KEY,
  portal_id             BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  name                  TEXT NOT NULL,
  phone_number_id       TEXT NOT NULL,
  template_name         TEXT NOT NULL,
  language              TEXT NOT NULL,
  status                TEXT NOT NULL CHECK (status IN ('scheduled', 'running', 'paused', 'completed', 'cancelled')),
  scheduled_at          TIMESTAMPTZ,
  time_zone             TEXT NOT NULL,
  header_media_type     TEXT CHECK (header_media_type IN ('image', 'video', 'document')),
  started_at            TIMESTAMPTZ,
  finished_at           TIMESTAMPTZ,
  created_by_user_id    BIGINT,
  -- The admin's attestation that the list opted in: who and when (the evidence per recipient is in consent_records).
  opt_in_attested       BOOLEAN NOT NULL DEFAULT false,
  attested_by_user_id   BIGINT,
  attested_at           TIMESTAMPTZ,
  -- The instance running it now: one runner at a time, taken over when its lease lapses (it died).
  runner_id             TEXT,
  runner_until          TIMESTAMPTZ,
  created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX campaigns_portal ON campaigns (portal_id, id DESC);
CREATE INDEX campaigns_due ON campaigns (scheduled_at) WHERE status = 'scheduled';

-- One row per audience row. `state` is ours (pending → claimed → sent | failed | skipped); once sent, what
-- Meta reports (sent, delivered, read, failed) lives on the message row (status webhooks), joined on read.
-- A claim names the runner that holds it; the message's client key `campaign:<campaign>:<recipient>` makes a
-- second attempt return the first message instead of sending again.
CREATE TABLE campaign_recipients (
  id               BIGSERIAL PRIMARY KEY,
  campaign_id      BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  row_number       INT NOT NULL,
  phone_e164       TEXT NOT NULL,
  contact_id       BIGINT REFERENCES contacts(id) ON DELETE SET NULL,
  parameters       JSONB NOT NULL DEFAULT '[]',
  header_media_url TEXT,
  state            TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'sent', 'failed', 'skipped')),
  reason           TEXT,
  message_id       BIGINT REFERENCES messages(id) ON DELETE SET NULL,
  claimed_by       TEXT,
  claimed_at       TIMESTAMPTZ,
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX campaign_recipients_work ON campaign_recipients (campaign_id, state, id);
CREATE INDEX campaign_recipients_message ON campaign_recipients (message_id) WHERE message_id IS NOT NULL;

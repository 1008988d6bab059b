-- WhatsApp channel (issue 3): raw webhook storage, status history, templates, media and attachment quota.

-- Every verified POST from Meta, stored as received (exact bytes) before it is acknowledged.
-- Processing happens in the `whatsapp.webhook` job; `state` records the outcome.
CREATE TABLE webhook_events (
  id            BIGSERIAL PRIMARY KEY,
  received_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  raw_body      TEXT NOT NULL,
  state         TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'processed', 'unrouted', 'partially_unrouted', 'invalid')),
  processed_at  TIMESTAMPTZ,
  -- What processing found: counts per kind, unrouted phone_number_ids, value-level errors, parse problems.
  summary       JSONB
);
CREATE INDEX webhook_events_open ON webhook_events (received_at) WHERE state <> 'processed';

-- Append-only history of outbound status webhooks: one row per (wamid, status), whatever Meta redelivers.
-- A status that arrives before the send call stored its wamid waits here and is applied when it does.
CREATE TABLE message_status_events (
  id               BIGSERIAL PRIMARY KEY,
  wamid            TEXT NOT NULL,
  status           TEXT NOT NULL,
  phone_number_id  TEXT NOT NULL,
  occurred_at      TIMESTAMPTZ NOT NULL,          -- Meta's timestamp
  recipient_id     TEXT,
  error            JSONB,                         -- {code, title, message, details, href} on failed
  pricing          JSONB,
  conversation     JSONB,
  callback_data    TEXT,                          -- biz_opaque_callback_data echo
  received_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (wamid, status)
);

-- Templates of every connected WhatsApp Business Account, one row per (WABA, name, language).
CREATE TABLE message_templates (
  id                BIGSERIAL PRIMARY KEY,
  waba_id           TEXT NOT NULL,
  meta_template_id  TEXT,
  name              TEXT NOT NULL,
  language          TEXT NOT NULL,                -- Meta's API form: en_US, es_CO, es
  category          TEXT,
  status            TEXT NOT NULL,                -- APPROVED, PENDING, REJECTED, PAUSED, DISABLED, DELETED, ...
  parameter_format  TEXT NOT NULL DEFAULT 'POSITIONAL',
  components        JSONB NOT NULL DEFAULT '[]',
  placeholders      JSONB NOT NULL DEFAULT '[]',  -- [{component, index, name?, example?}] in send order
  placeholder_count INT NOT NULL DEFAULT 0,
  quality_score     TEXT,
  rejected_reason   TEXT,
  status_detail     JSONB,                        -- rejection_info / other_info of the last status webhook
  synced_at         TIMESTAMPTZ,
  updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (waba_id, name, language)
);
CREATE INDEX message_templates_meta_id ON message_templates (meta_template_id);

-- Files we hold: inbound media downloaded from Meta, outbound attachments uploaded to Meta.
CREATE TABLE media_objects (
  id               BIGSERIAL PRIMARY KEY,
  portal_id        BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  contact_id       BIGINT REFERENCES contacts(id) ON DELETE CASCADE,
  message_id       BIGINT REFERENCES messages(id) ON DELETE CASCADE,
  direction        TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  phone_number_id  TEXT NOT NULL,
  meta_media_id    TEXT,
  mime_type        TEXT,
  size_bytes       BIGINT,
  sha256           TEXT,                           -- lower-case hex
  filename         TEXT,
  storage_key      TEXT,
  state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'stored', 'failed')),
  error            TEXT,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX media_objects_inbound_message ON media_objects (message_id) WHERE direction = 'in';
CREATE INDEX media_objects_meta_id ON media_objects (meta_media_id);

-- Outbound attachment bytes per contact per calendar month (UTC), for the monthly quota.
CREATE TABLE attachment_usage (
  portal_id   BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  contact_id  BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  month       DATE NOT NULL,
  bytes       BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (portal_id, contact_id, month)
);

-- What Meta tells us about a number beyond the core columns.
ALTER TABLE whatsapp_numbers
  ADD COLUMN messaging_limit_tier TEXT,
  ADD COLUMN last_quality_event   JSONB,
  ADD COLUMN token_error          TEXT,
  ADD COLUMN templates_synced_at  TIMESTAMPTZ;

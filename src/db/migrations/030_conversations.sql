-- Conversations domain (consent bot, routing, lifecycle, window, business hours, notifications).

-- Conversation state the core table does not carry.
ALTER TABLE conversations
  ADD COLUMN bot_attempts          INT NOT NULL DEFAULT 0,       -- consent prompts sent (bounded)
  ADD COLUMN bot_prompt_message_id BIGINT,                       -- our last consent prompt (messages.id)
  ADD COLUMN consent_version       INT,                          -- text version the prompt showed
  ADD COLUMN consent_language      TEXT,
  ADD COLUMN consent_prompt_text   TEXT,                         -- the notice exactly as shown (evidence)
  ADD COLUMN waiting_since         TIMESTAMPTZ,                  -- unassigned and waiting since (drain order)
  ADD COLUMN last_inbound_at       TIMESTAMPTZ,                  -- Meta's timestamp of the customer's last message
  ADD COLUMN last_outbound_at      TIMESTAMPTZ,
  ADD COLUMN urgent_at             TIMESTAMPTZ;
CREATE INDEX conversations_waiting ON conversations (portal_id, waiting_since, id)
  WHERE status IN ('open', 'pending') AND assignee_agent_id IS NULL;
CREATE INDEX conversations_window ON conversations (window_expires_at)
  WHERE status IN ('open', 'pending') AND urgent = false;
CREATE INDEX conversations_contact ON conversations (contact_id, id DESC);

-- Consent evidence (Ley 1581 art. 9: obtained by a means that can be consulted later). Append-only.
CREATE TABLE consent_records (
  id                 BIGSERIAL PRIMARY KEY,
  portal_id          BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  contact_id         BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  conversation_id    BIGINT REFERENCES conversations(id) ON DELETE SET NULL,
  phone_number_id    TEXT NOT NULL,
  decision           TEXT NOT NULL CHECK (decision IN ('granted', 'declined', 'opted_out', 'opted_in')),
  method             TEXT NOT NULL,               -- button, text, keyword, template_button
  answer_message_id  BIGINT REFERENCES messages(id) ON DELETE SET NULL,
  answer_wamid       TEXT,
  answer_text        TEXT,
  prompt_message_id  BIGINT REFERENCES messages(id) ON DELETE SET NULL,
  prompt_wamid       TEXT,
  text_version       INT,
  text_language      TEXT,
  text_shown         TEXT,
  customer_phone     TEXT,                        -- E.164 or the business-scoped user id
  answered_at        TIMESTAMPTZ NOT NULL,        -- Meta's timestamp of the answer
  recorded_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX consent_records_contact ON consent_records (contact_id, id);

-- Routing: one row per portal, locked (FOR UPDATE) by every assignment, with the round-robin cursors
-- per scope ("*" = every number, "pn:<phone_number_id>" = one number's pool).
CREATE TABLE routing_state (
  portal_id  BIGINT PRIMARY KEY REFERENCES portals(id) ON DELETE CASCADE,
  cursors    JSONB NOT NULL DEFAULT '{}',
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Inbound messages this domain has handled (a retried job does nothing twice).
CREATE TABLE inbound_handled (
  message_id BIGINT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  handled_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Automatic replies sent at most once per key (out-of-hours: once per closed period).
CREATE TABLE auto_replies (
  portal_id       BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  contact_id      BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  phone_number_id TEXT NOT NULL,
  kind            TEXT NOT NULL,
  period_key      TEXT NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (contact_id, phone_number_id, kind, period_key)
);

-- Per-portal daily work already done (end-of-day close), claimed once per business date.
CREATE TABLE portal_day_runs (
  portal_id  BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  task       TEXT NOT NULL,
  day        DATE NOT NULL,
  done_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (portal_id, task, day)
);

-- What happened to a conversation and who did it (assignment history, transfers, resolution): for
-- the dashboard and for "last agent who handled the contact".
CREATE TABLE conversation_events (
  id              BIGSERIAL PRIMARY KEY,
  portal_id       BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  kind            TEXT NOT NULL,        -- opened, consent_granted, consent_declined, assigned, unassigned, transferred, resolved, urgent
  agent_id        BIGINT REFERENCES agents(id) ON DELETE SET NULL,
  from_agent_id   BIGINT REFERENCES agents(id) ON DELETE SET NULL,
  actor_user_id   BIGINT,               -- HubSpot user who acted (null = system)
  detail          JSONB NOT NULL DEFAULT '{}',
  at              TIMESTAMPTZ NOT NULL
);
CREATE INDEX conversation_events_conversation ON conversation_events (conversation_id, id);

-- The core model every domain shares. Domain migrations (010+ WhatsApp, 020+ HubSpot,
-- 030+ conversations, 040+ settings/UI, 050+ campaigns/reports) add their own tables and columns.

-- One HubSpot account that installed the app (hub_id).
CREATE TABLE portals (
  id                      BIGINT PRIMARY KEY,              -- HubSpot hub_id / portalId
  domain                  TEXT,
  status                  TEXT NOT NULL DEFAULT 'installed' CHECK (status IN ('installed', 'uninstalled')),
  installed_by_user_id    BIGINT,
  scopes                  TEXT[] NOT NULL DEFAULT '{}',
  access_token_enc        TEXT,                             -- AES-256-GCM (SecretBox)
  refresh_token_enc       TEXT,
  access_token_expires_at TIMESTAMPTZ,
  language                TEXT NOT NULL DEFAULT 'es',
  installed_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  uninstalled_at          TIMESTAMPTZ,
  updated_at              TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A portal's settings document (validated by zod at the edge; defaults filled by the service).
CREATE TABLE portal_settings (
  portal_id  BIGINT PRIMARY KEY REFERENCES portals(id) ON DELETE CASCADE,
  settings   JSONB NOT NULL DEFAULT '{}',
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A WhatsApp Business number connected by a portal ("Customer Support", "Customer Success", ...).
CREATE TABLE whatsapp_numbers (
  id                    BIGSERIAL PRIMARY KEY,
  portal_id             BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  phone_number_id       TEXT NOT NULL UNIQUE,               -- Meta's id; routes inbound webhooks
  waba_id               TEXT NOT NULL,
  display_phone_number  TEXT,
  verified_name         TEXT,
  label                 TEXT NOT NULL,
  access_token_enc      TEXT NOT NULL,
  token_status          TEXT NOT NULL DEFAULT 'valid' CHECK (token_status IN ('valid', 'needs_token')),
  quality_rating        TEXT,
  throughput_per_second INT,
  created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX whatsapp_numbers_portal ON whatsapp_numbers (portal_id);

-- An agent: a HubSpot user (owner) who answers WhatsApp conversations.
CREATE TABLE agents (
  id              BIGSERIAL PRIMARY KEY,
  portal_id       BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  owner_id        TEXT NOT NULL,          -- HubSpot owner id (hubspot_owner_id)
  user_id         BIGINT,                 -- HubSpot user id (context.user.id)
  email           TEXT,
  name            TEXT,
  active          BOOLEAN NOT NULL DEFAULT true,   -- has a seat
  available       BOOLEAN NOT NULL DEFAULT true,   -- online / not marked away
  out_of_office   JSONB NOT NULL DEFAULT '[]',     -- [{"from": iso, "to": iso}]
  number_ids      TEXT[] NOT NULL DEFAULT '{}',    -- phone_number_ids of the per-number pool ({} = all)
  last_assigned_at TIMESTAMPTZ,
  assigned_count  BIGINT NOT NULL DEFAULT 0,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (portal_id, owner_id)
);
CREATE UNIQUE INDEX agents_portal_user ON agents (portal_id, user_id) WHERE user_id IS NOT NULL;

-- A customer on WhatsApp, per portal; linked to one HubSpot contact.
CREATE TABLE contacts (
  id                  BIGSERIAL PRIMARY KEY,
  portal_id           BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  wa_id               TEXT,                  -- Meta's wa_id (digits)
  bsuid               TEXT,                  -- business-scoped user id, when Meta sends one
  phone_e164          TEXT,                  -- +573001234567
  profile_name        TEXT,
  hubspot_contact_id  TEXT,
  consent             TEXT NOT NULL DEFAULT 'unknown' CHECK (consent IN ('granted', 'declined', 'unknown')),
  consent_at          TIMESTAMPTZ,
  opted_out           BOOLEAN NOT NULL DEFAULT false,
  opted_out_at        TIMESTAMPTZ,
  last_inbound_at     TIMESTAMPTZ,           -- Meta's timestamp of the customer's last message
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX contacts_portal_phone ON contacts (portal_id, phone_e164) WHERE phone_e164 IS NOT NULL;
CREATE UNIQUE INDEX contacts_portal_bsuid ON contacts (portal_id, bsuid) WHERE bsuid IS NOT NULL;
CREATE UNIQUE INDEX contacts_portal_hubspot ON contacts (portal_id, hubspot_contact_id) WHERE hubspot_contact_id IS NOT NULL;

-- A conversation: bot -> open -> pending -> resolved. At most one not-resolved per contact and number.
CREATE TABLE conversations (
  id               BIGSERIAL PRIMARY KEY,
  portal_id        BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  contact_id       BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  phone_number_id  TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('bot', 'open', 'pending', 'resolved')),
  assignee_agent_id BIGINT REFERENCES agents(id) ON DELETE SET NULL,
  label            TEXT,
  urgent           BOOLEAN NOT NULL DEFAULT false,
  window_expires_at TIMESTAMPTZ,
  opened_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  assigned_at      TIMESTAMPTZ,
  first_response_at TIMESTAMPTZ,
  resolved_at      TIMESTAMPTZ,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX conversations_one_active ON conversations (contact_id, phone_number_id) WHERE status <> 'resolved';
CREATE INDEX conversations_portal_status ON conversations (portal_id, status);
CREATE INDEX conversations_assignee ON conversations (assignee_agent_id) WHERE status <> 'resolved';

-- Every WhatsApp message, in and out. Stored once per wamid.
CREATE TABLE messages (
  id               BIGSERIAL PRIMARY KEY,
  portal_id        BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  contact_id       BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  conversation_id  BIGINT REFERENCES conversations(id) ON DELETE SET NULL,
  phone_number_id  TEXT NOT NULL,
  wamid            TEXT UNIQUE,             -- null until Meta accepts an outbound message
  client_key       TEXT,                    -- idempotency key of an outbound send
  direction        TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  type             TEXT NOT NULL,           -- text, image, document, ..., template, interactive, unsupported
  text             TEXT,
  payload          JSONB NOT NULL DEFAULT '{}',  -- the parsed Meta message or our send request
  status           TEXT NOT NULL CHECK (status IN ('received', 'accepted', 'sent', 'delivered', 'read', 'failed')),
  error            JSONB,                   -- {code, title, message, details} when failed
  sender           TEXT NOT NULL DEFAULT 'customer' CHECK (sender IN ('customer', 'agent', 'bot', 'system', 'campaign')),
  agent_id         BIGINT REFERENCES agents(id) ON DELETE SET NULL,
  template_name    TEXT,
  sent_at          TIMESTAMPTZ NOT NULL,    -- Meta's timestamp (in) or our send time (out)
  status_at        TIMESTAMPTZ,
  hubspot_communication_id TEXT,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX messages_client_key ON messages (portal_id, client_key) WHERE client_key IS NOT NULL;
CREATE INDEX messages_contact_time ON messages (contact_id, sent_at DESC, id DESC);
CREATE INDEX messages_conversation ON messages (conversation_id);

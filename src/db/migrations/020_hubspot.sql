-- HubSpot domain (020–029): OAuth install state, token refresh lease, identity leases, timeline
-- logging claims, contact-property outbox, one task per conversation, privacy-deletion records.

-- Token refresh happens once per portal across every instance: whoever sets the lease refreshes,
-- the others wait for the new token. No transaction is held while HubSpot answers.
ALTER TABLE portals
  ADD COLUMN token_refreshing_until TIMESTAMPTZ,
  ADD COLUMN token_refresh_owner    TEXT;

-- OAuth `state`: random, one-time (deleted when used), expires. Only its SHA-256 is stored.
CREATE TABLE hubspot_oauth_states (
  state_hash TEXT PRIMARY KEY,
  expires_at TIMESTAMPTZ NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Per-portal setup done in HubSpot (the app's contact property group and properties).
CREATE TABLE hubspot_portal_state (
  portal_id        BIGINT PRIMARY KEY REFERENCES portals(id) ON DELETE CASCADE,
  properties_ready BOOLEAN NOT NULL DEFAULT false,
  properties_at    TIMESTAMPTZ,
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Linking a local contact to a HubSpot contact: one resolver at a time per contact (lease), across
-- instances. `in_doubt`: a create was sent and its answer lost; the lease is kept until HubSpot's
-- search index has caught up so the next attempt finds the contact instead of creating another.
CREATE TABLE hubspot_contact_leases (
  contact_id  BIGINT PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
  portal_id   BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  lease_owner TEXT NOT NULL,
  lease_until TIMESTAMPTZ NOT NULL,
  in_doubt    BOOLEAN NOT NULL DEFAULT false,
  last_error  TEXT
);

-- Timeline logging: the messages table is the queue (hubspot_communication_id IS NULL = not yet
-- logged). A message being logged has a claim row; the communication id is written and the claim
-- deleted in one transaction, so a message is logged once whatever the retries.
--   sending  : a worker holds it (lease); expired lease → in_doubt
--   in_doubt : a create may have reached HubSpot; reconciled by search before any new create
--   retry    : a definite failure; claimable again after lease_until
--   parked   : failed too often; left for an operator (last_error says why)
CREATE TABLE hubspot_timeline_claims (
  message_id  BIGINT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  portal_id   BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  state       TEXT NOT NULL CHECK (state IN ('sending', 'in_doubt', 'retry', 'parked')),
  lease_owner TEXT NOT NULL,
  lease_until TIMESTAMPTZ NOT NULL,
  attempts    INT NOT NULL DEFAULT 1,
  last_error  TEXT,
  claimed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX hubspot_timeline_claims_portal ON hubspot_timeline_claims (portal_id, lease_until);
CREATE INDEX messages_hubspot_unlogged ON messages (portal_id, id) WHERE hubspot_communication_id IS NULL;

-- Contact property writes, merged per contact and sent in batches of 100 (durable, at least once;
-- a property write is idempotent).
CREATE TABLE hubspot_property_outbox (
  contact_id  BIGINT PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
  portal_id   BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  properties  JSONB NOT NULL,
  version     INT NOT NULL DEFAULT 1,
  lease_owner TEXT,
  lease_until TIMESTAMPTZ,
  attempts    INT NOT NULL DEFAULT 0,
  last_error  TEXT,
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX hubspot_property_outbox_portal ON hubspot_property_outbox (portal_id, updated_at);

-- One HubSpot task per conversation: created once, then updated (version > synced_version = to sync).
CREATE TABLE hubspot_tasks (
  conversation_id BIGINT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
  portal_id       BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  contact_id      BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  hubspot_task_id TEXT,
  owner_id        TEXT,
  subject         TEXT NOT NULL,
  body            TEXT NOT NULL,
  kind            TEXT NOT NULL,
  priority        TEXT NOT NULL DEFAULT 'MEDIUM' CHECK (priority IN ('LOW', 'MEDIUM', 'HIGH')),
  status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed')),
  due_at          TIMESTAMPTZ,
  version         INT NOT NULL DEFAULT 1,
  synced_version  INT NOT NULL DEFAULT 0,
  in_doubt        BOOLEAN NOT NULL DEFAULT false,
  lease_owner     TEXT,
  lease_until     TIMESTAMPTZ,
  attempts        INT NOT NULL DEFAULT 0,
  last_error      TEXT,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX hubspot_tasks_dirty ON hubspot_tasks (portal_id) WHERE version > synced_version;

-- What is kept after a contact.privacyDeletion: no phone, name or message, only the proof that
-- consent existed (or was declined / withdrawn) and that the deletion was carried out (docs/hubspot.md).
-- No foreign key: the record outlives the portal's data on purpose.
CREATE TABLE hubspot_privacy_deletions (
  id                 BIGSERIAL PRIMARY KEY,
  portal_id          BIGINT NOT NULL,
  hubspot_contact_id TEXT NOT NULL,
  event_id           TEXT,
  consent            TEXT,
  consent_at         TIMESTAMPTZ,
  opted_out          BOOLEAN,
  opted_out_at       TIMESTAMPTZ,
  contacts_deleted   INT NOT NULL,
  messages_deleted   INT NOT NULL,
  requested_at       TIMESTAMPTZ,
  deleted_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX hubspot_privacy_deletions_contact ON hubspot_privacy_deletions (portal_id, hubspot_contact_id);

-- Contact properties the app writes that are not its own nor HubSpot standard ones: a bot flow's
-- collect step may fill a custom property (issue 15). The property outbox makes sure each exists
-- (creating it in the app's `whatsapp` group when missing) before it writes a value to it.
CREATE TABLE hubspot_custom_properties (
  portal_id   BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  label       TEXT NOT NULL,
  -- pending: not checked at HubSpot yet; ready: exists and takes text; conflict: exists but is not a
  -- writable text property (detail says why), its values are not written
  state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'ready', 'conflict')),
  detail      TEXT,
  checked_at  TIMESTAMPTZ,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (portal_id, name)
);

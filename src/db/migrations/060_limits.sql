-- Limits shared by every instance (issue 16): one row per limited thing (a WhatsApp number, a HubSpot
-- portal's general or search budget). `tat_ms` is the GCRA "theoretical arrival time" on the database's
-- clock (epoch milliseconds): the next free send slot. Every instance books slots with one atomic UPDATE,
-- so no instance's own clock matters, and a booking is only a moment in time — nothing is held, so an
-- instance that dies after booking leaves nothing to release.
CREATE TABLE shared_limits (
  key         TEXT PRIMARY KEY,
  tat_ms      DOUBLE PRECISION NOT NULL,
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

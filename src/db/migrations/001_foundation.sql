-- Periodic work fires once per period across all instances: the first instance to insert the
-- (task, period) row runs it; the others see the conflict and skip.
CREATE TABLE periodic_runs (
  task        TEXT NOT NULL,
  period_key  TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  started_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (task, period_key)
);

-- Mutating extension calls carry an Idempotency-Key (HubSpot's proxy retries once).
CREATE TABLE idempotency_keys (
  portal_id   BIGINT NOT NULL,
  key         TEXT NOT NULL,
  status_code INT NOT NULL,
  response    JSONB NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (portal_id, key)
);

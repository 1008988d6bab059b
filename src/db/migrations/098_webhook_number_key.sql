-- Webhook events are drained per number and lane (src/whatsapp/drain.ts): each pass takes a lane's
-- next pending events in order. The number and the customer's lane are read off the body at the
-- ack (no parsing there); events stored before this migration have no number and are processed by
-- their per-batch jobs as before.
ALTER TABLE webhook_events ADD COLUMN number_key TEXT;
ALTER TABLE webhook_events ADD COLUMN lane SMALLINT NOT NULL DEFAULT 0;
CREATE INDEX webhook_events_pending_by_lane ON webhook_events (number_key, lane, id) WHERE state = 'pending';

-- Task generations (issue 11): one row per HubSpot task, not per conversation. A completed task is
-- never reopened: the next request after a completion opens a new generation (a new HubSpot task),
-- while the completed one still syncs its COMPLETED status on its own row.
ALTER TABLE hubspot_tasks ADD COLUMN id BIGSERIAL;
ALTER TABLE hubspot_tasks ADD COLUMN generation INT NOT NULL DEFAULT 1;
ALTER TABLE hubspot_tasks DROP CONSTRAINT hubspot_tasks_pkey;
ALTER TABLE hubspot_tasks ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX hubspot_tasks_generation ON hubspot_tasks (conversation_id, generation);

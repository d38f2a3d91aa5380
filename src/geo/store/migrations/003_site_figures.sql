-- Imported sites carry a completion date and whether their amount counts in the funding
-- totals (AidData's own flag), as the embedded store keeps them.

ALTER TABLE sites ADD COLUMN completed text;
ALTER TABLE sites ADD COLUMN for_aggregates text;

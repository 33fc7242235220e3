-- A pushed entry stamped more than a day ahead of the server's clock is held as evidence with
-- its own alert kind (docs/decisions/0022).
ALTER TABLE quarantine DROP CONSTRAINT quarantine_kind_check;
ALTER TABLE quarantine ADD CONSTRAINT quarantine_kind_check CHECK (kind IN ('equivocation', 'fork', 'clock_ahead'));

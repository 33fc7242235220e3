-- One more alert kind: an entry a registered device signed, after its registration, in another
-- person's name ("Trust nobody" 5, docs/decisions/0028).
ALTER TABLE quarantine DROP CONSTRAINT quarantine_kind_check;
ALTER TABLE quarantine ADD CONSTRAINT quarantine_kind_check
    CHECK (kind IN ('equivocation', 'fork', 'clock_ahead', 'device_revoked', 'member_removed', 'recorder_mismatch'));

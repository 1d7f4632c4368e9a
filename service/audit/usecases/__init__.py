"""Use cases of the audit trail: appending and verifying (trail), reading (reading)."""

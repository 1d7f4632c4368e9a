"""Use cases of the meetings feature, by activity: meetings, agenda, attendance,
minutes, questions. Each takes the context (and builds the store), opens the
transaction, applies the domain's rules and writes the audit event."""

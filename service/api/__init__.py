"""HTTP API under /api/v1: thin controllers that decode, call a use case, encode."""

"""Use cases: one function per thing a person does. Each opens its own transaction."""

"""Database access: Piccolo tables, engine binding, transactions, bulk loaders."""

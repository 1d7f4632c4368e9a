"""Everything that talks to the outside world: HTTP, database, files, PDF."""

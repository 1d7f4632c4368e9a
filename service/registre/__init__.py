"""Register files from the outside world: reading uploads into rows for the domain."""

from service.registre.reader import DEFAULT_MAX_BYTES, Table, read_table

__all__ = ["DEFAULT_MAX_BYTES", "Table", "read_table"]

"""Use cases of the resident registers, by activity (DESIGN.md §2): ``imports`` (read,
parse, store a file), ``mapping`` (columns, preview), ``merging`` (deduplication across
sources), ``sources`` (reports, search), ``pairs`` (ambiguous pairs), ``eligibility``
(rules, pools), ``lists`` (perimeter, exclusions), ``residents`` (letters' subjects),
``purge`` (retention), ``tasks`` (import progress for the pages).

The domain pipeline (``domain/registre``) does every decision; the use cases take the
register store (``service/registre/store.py``), open the transaction and write the
audit event. Logs and audit events hold counts only, never a name or an address.
"""

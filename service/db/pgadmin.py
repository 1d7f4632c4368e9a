"""Throw-away PostgreSQL databases for the test passes and the benchmarks: each run
creates its own database next to the admin URL's and drops it afterwards."""

from __future__ import annotations

import secrets


async def admin_execute(admin_url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def create_scratch_database(admin_url: str, prefix: str) -> tuple[str, str]:
    """Create ``<prefix>_<random>`` on the admin URL's server; returns (database URL, name)."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    await admin_execute(admin_url, f'CREATE DATABASE "{name}"')
    return f"{admin_url.rsplit('/', 1)[0]}/{name}", name


async def drop_database(admin_url: str, name: str) -> None:
    await admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

"""The OpenAPI document speaks French: every operation has a French summary, not an
identifier derived from the handler's name (80 of 94 were, e.g. « CreateCouncil »)."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.anyio


async def test_every_operation_has_a_french_summary(client: Any) -> None:
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    ops = [op for item in r.json()["paths"].values() for op in item.values()
           if isinstance(op, dict) and "operationId" in op]
    assert len(ops) >= 90
    identifiers = [op["operationId"] for op in ops
                   if not op.get("summary") or re.fullmatch(r"[A-Za-z]+", op["summary"])]
    assert identifiers == []
    summaries = {op["operationId"]: op["summary"] for op in ops}
    assert summaries["createCouncil"] == "Créer un conseil citoyen dans le territoire"

"""The baseline of ``http.load.*``: a bare Litestar handler, served the same way."""

from __future__ import annotations

from litestar import Litestar, get


@get("/")
async def hello() -> dict[str, str]:
    return {"statut": "ok"}


app = Litestar(route_handlers=[hello], debug=False)

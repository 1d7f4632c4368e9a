"""Reading and verifying the audit trail."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get

from domain.access import Action, visible_territories
from service import audit
from service.api import schemas as s
from service.api.common import user_of
from service.auth import allow_anywhere, authenticated
from service.db.tables import AuditEvent


async def list_events(principal: Any, limit: int = 100, before: int | None = None, council_id: int | None = None) -> list[dict[str, Any]]:
    q = AuditEvent.select().order_by(AuditEvent.seq, ascending=False).limit(max(1, min(limit, 500))).output(load_json=True)
    vis = visible_territories(principal, Action.READ_AUDIT_TRAIL)
    if not vis.everything:
        clauses = []
        if vis.territory_ids:
            clauses.append(AuditEvent.territory_id.is_in([int(t) for t in vis.territory_ids]))
        if vis.departements:
            from service.db.tables import Territory

            ids = [r["id"] for r in await Territory.select(Territory.id).where(Territory.departement.is_in(list(vis.departements)))]
            clauses.append(AuditEvent.territory_id.is_in(ids or [-1]))
        if not clauses:
            return []
        where = clauses[0]
        for c in clauses[1:]:
            where = where | c
        q = q.where(where)
    if before is not None:
        q = q.where(AuditEvent.seq < before)
    if council_id is not None:
        q = q.where(AuditEvent.council_id == council_id)
    return list(await q)


class AuditController(Controller):
    path = "/api/v1/journal"
    tags = ["Journal d'audit"]

    @get("/", operation_id="listAuditEvents", opt=authenticated(),
         description="Événements du périmètre de l'appelant, du plus récent au plus ancien.")
    async def list_(self, request: Request[Any, Any, Any], limite: int = 100, avant: int | None = None) -> list[s.AuditEventOut]:
        return [s.AuditEventOut(**e) for e in await list_events(user_of(request).principal, limite, avant)]

    @get("/verification", operation_id="verifyAuditTrail", opt=allow_anywhere(Action.VERIFY_AUDIT_TRAIL),
         description="Recalcule toute la chaîne d'empreintes et ses sceaux, et nomme le premier maillon rompu "
                     "(administrateurs et auditeurs).")
    async def verify(self, request: Request[Any, Any, Any]) -> s.ChainReportOut:
        report = await audit.verify(request.app.state.ctx.db)
        return s.ChainReportOut(ok=report.ok, checked=report.checked, first_broken_seq=report.first_broken_seq, message=report.message)

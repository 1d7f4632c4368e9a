"""Reading and verifying the audit trail."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get

from domain.access import Action
from service.audit.schemas import AuditEventOut, ChainReportOut
from service.audit.usecases.reading import list_events
from service.audit.usecases.trail import verify
from service.http.auth import allow_anywhere, authenticated
from service.http.common import ctx_of, user_of


class AuditController(Controller):
    path = "/api/v1/journal"
    tags = ["Journal d'audit"]

    @get("/", operation_id="listAuditEvents", opt=authenticated(),
         description="Événements du périmètre de l'appelant, du plus récent au plus ancien.")
    async def list_(self, request: Request[Any, Any, Any], limite: int = 100, avant: int | None = None) -> list[AuditEventOut]:
        return [AuditEventOut.of(e) for e in await list_events(user_of(request).principal, limite, avant)]

    @get("/verification", operation_id="verifyAuditTrail", opt=allow_anywhere(Action.VERIFY_AUDIT_TRAIL),
         description="Recalcule toute la chaîne d'empreintes et ses sceaux, et nomme le premier maillon rompu "
                     "(administrateurs et auditeurs).")
    async def verify(self, request: Request[Any, Any, Any]) -> ChainReportOut:
        return ChainReportOut.of(await verify(ctx_of(request).db))


API_CONTROLLERS = [AuditController]

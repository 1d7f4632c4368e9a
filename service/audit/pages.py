"""The audit trail's page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from domain.i18n import _
from service.audit.usecases.reading import list_events
from service.audit.usecases.trail import verify
from service.http.auth import authenticated
from service.http.common import user_of
from service.http.render import render


class AuditPages(Controller):
    path = "/journal"
    include_in_schema = False

    @get("/", opt=authenticated())
    async def journal(self, request: Request[Any, Any, Any]) -> Template:
        user = user_of(request)
        events = await list_events(user.principal, 200)
        report = await verify()
        return render(request, "journal.html", titre=_("Journal d'audit"), evenements=events, verification=report,
                      fil=[{"href": "/", "label": _("Tableau de bord")}, {"label": _("Journal d'audit")}])


PAGE_CONTROLLERS = [AuditPages]

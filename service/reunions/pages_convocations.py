"""The member's acknowledgement page: the personal link printed on the convocation.

Public (the token is the credential, like the residents' online reply); the form posts
back to the same address with the CSRF token, no script needed."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Template

from domain.errors import DomainError, NotFound
from domain.i18n import _
from service.documents.formatting import format_datetime_long
from service.http.auth import public
from service.http.common import ctx_of
from service.http.errors import status_of
from service.http.render import render
from service.reunions.usecases import acknowledgements as ack_uc

ANSWER_LABELS = {
    "present": "Je serai présent·e",
    "absent_excuse": "Je serai absent·e (excusé·e)",
    "pouvoir": "Je donne pouvoir à un autre membre",
}


def _page(
    request: Request[Any, Any, Any],
    view: ack_uc.AckView | None,
    *,
    status: int = 200,
    erreurs: dict[str, str] | None = None,
    alerte: str = "",
    message: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> Template:
    return render(
        request,
        "reunions/convocation.html",
        status_code=status,
        titre=_("Votre convocation"),
        vue=view,
        jeton=str(request.path_params.get("ack_token", "")),
        quand=format_datetime_long(view.meeting_start) if view else "",
        erreurs=erreurs or {},
        alerte=alerte,
        reponses=[(k, _(v)) for k, v in ANSWER_LABELS.items()],
        etats={
            "present": _("vous serez présent·e"),
            "absent_excuse": _("vous serez absent·e (excusé·e)"),
            "pouvoir": _("vous donnez pouvoir à"),
        },
        form=form or {},
        **({"message": message} if message else {}),
    )


class AckPages(Controller):
    path = "/convocations/{ack_token:str}"
    include_in_schema = False

    @get("/", opt=public())
    async def show(self, request: Request[Any, Any, Any], ack_token: str) -> Template:
        try:
            view = await ack_uc.open_link(ctx_of(request), ack_token)
        except NotFound as exc:
            return _page(request, None, status=404, alerte=exc.detail)
        return _page(request, view, form={"reponse": view.answer, "porteur_id": str(view.proxy_holder_id or "")})

    @post("/accuse", opt=public(), status_code=200)
    async def acknowledge(self, request: Request[Any, Any, Any], ack_token: str) -> Template:
        try:
            view = await ack_uc.acknowledge(ctx_of(request), ack_token)
        except NotFound as exc:
            return _page(request, None, status=404, alerte=exc.detail)
        return _page(
            request, view, form={"reponse": view.answer, "porteur_id": str(view.proxy_holder_id or "")},
            message={"kind": "succes", "text": _("Réception de la convocation enregistrée. Merci.")},
        )

    @post("/", opt=public(), status_code=200)
    async def answer(self, request: Request[Any, Any, Any], ack_token: str) -> Template:
        form = await request.form()
        values = {k: str(form.get(k, "")).strip()[:40] for k in ("reponse", "porteur_id")}
        ctx = ctx_of(request)
        holder = int(values["porteur_id"]) if values["porteur_id"].isdigit() else None
        try:
            view = await ack_uc.answer(ctx, ack_token, values["reponse"], holder)
        except NotFound as exc:
            return _page(request, None, status=404, alerte=exc.detail)
        except DomainError as exc:
            current = await ack_uc.open_link(ctx, ack_token)
            field = exc.field if exc.field in ("reponse", "porteur_id") else "reponse"
            return _page(request, current, status=status_of(exc), erreurs={field: exc.detail}, form=values)
        return _page(
            request, view, form=values,
            message={"kind": "succes", "text": _("Votre réponse est enregistrée. Merci.")},
        )


PAGES: list[Any] = [AckPages]

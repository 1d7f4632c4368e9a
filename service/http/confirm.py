"""Confirmation of actions that cannot be undone (publishing a draw's commitment,
archiving a council or a territory, closing a round).

A page's button posts without ``confirme``: the handler answers with a page that says
what cannot be undone and asks to tick « Je comprends… » (no script needed); the
confirmed post does the action. The API is not concerned: a client there acts on purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request
from litestar.response import Template

from domain.i18n import _
from service.http.render import form_text, render


def confirmed(form: Any) -> bool:
    return form_text(form, "confirme") == "oui"


def confirmation_page(
    request: Request[Any, Any, Any],
    *,
    titre: str,
    consequences: Sequence[str],
    action: str,
    bouton: str,
    retour: str,
    fil: list[dict[str, str]] | None = None,
    erreur: bool = False,
) -> Template:
    """The page asking to confirm; ``erreur``: the box was posted unticked."""
    return render(
        request,
        "confirmation.html",
        status_code=422 if erreur else 200,
        titre=titre,
        consequences=list(consequences),
        action=action,
        bouton=bouton,
        retour=retour,
        erreur=erreur,
        erreurs={"confirme": _("Cochez la case pour confirmer.")} if erreur else {},
        fil=fil,
    )


async def confirm_or_page(request: Request[Any, Any, Any], **page: Any) -> Template | None:
    """None when the posted form confirms the action; else the confirmation page."""
    form = await request.form()
    if confirmed(form):
        return None
    return confirmation_page(request, erreur="confirme_envoye" in form, **page)

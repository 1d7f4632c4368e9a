"""Pages of the meetings feature for the secretary and the lead: the council's meetings,
a meeting with its agenda, attachments and the members' proposals, its status.

Every handler decodes the form, calls the same use case as the API and renders; no rule
is decided here (DESIGN.md rule 3). The other pages live beside this module:
``pages_seance.py`` (convocations, attendance, decisions, minutes), ``pages_public.py``
(public pages, residents' questions, the member's own page)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template

from domain.access import Action, is_allowed
from domain.errors import DomainError, Forbidden, NotFound
from domain.i18n import _
from domain.meetings import MeetingKind
from domain.meetings.model import EDITABLE
from service.http.auth import allow, authenticated, resolve_scope
from service.http.common import actor_of, ctx_of, user_of
from service.http.errors import status_of
from service.http.forms import decode, for_input, form_values, local_datetime, optional_int
from service.http.render import form_errors, render, see_other
from service.organisation.store import CouncilRow
from service.reunions import views
from service.reunions.pages_forms import tabs
from service.reunions.schemas import PointCreate, ReunionCreate

LABELS = {
    "titre": "Titre", "debut": "Début", "fin": "Fin", "lieu": "Lieu", "kind": "Type de réunion",
    "publique": "Réunion publique", "parent_id": "Place", "rapporteur": "Rapporteur",
    "duree_minutes": "Durée prévue", "texte": "Texte", "motif": "Motif",
}


def _labels() -> dict[str, str]:
    return {k: _(v) for k, v in LABELS.items()}


def _fil(council: CouncilRow, *rest: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"href": "/", "label": _("Tableau de bord")},
        {"href": f"/conseils/{council.id}", "label": council.name},
        {"href": f"/conseils/{council.id}/reunions/gestion", "label": _("Réunions")},
        *rest,
    ]


async def _can(request: Request[Any, Any, Any], action: Action) -> bool:
    scope: Any = request.scope.get("resource_scope")
    if scope is None:  # a route open to any signed-in account (the member's proposal)
        scope = await resolve_scope("reunion_id", dict(request.path_params))
    return is_allowed(user_of(request).principal, action, scope)


class CouncilMeetingPages(Controller):
    path = "/conseils/{council_id:int}/reunions/gestion"
    include_in_schema = False

    async def _page(self, request: Request[Any, Any, Any], council_id: int, *, erreurs: dict[str, str] | None = None,
                    form: dict[str, Any] | None = None, status: int = 200) -> Template:
        council = await views.council(council_id)
        return render(
            request, "reunions/gestion.html", status_code=status, titre=_("Réunions du conseil"),
            conseil=council, reunions=await views.meetings_of(ctx_of(request), council_id),
            peut_gerer=await _can(request, Action.MANAGE_MEETINGS),
            types=[(k.value, k.label) for k in MeetingKind], erreurs=erreurs or {},
            form=form or {"kind": "pleniere", "publique": True},
            fil=[*_fil(council)[:-1], {"label": _("Réunions")}],
        )

    @get("/", opt=allow(Action.READ_MEETINGS, "council_id"))
    async def index(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        return await self._page(request, council_id)

    @post("/", opt=allow(Action.MANAGE_MEETINGS, "council_id"))
    async def create(self, request: Request[Any, Any, Any], council_id: int) -> Template | Redirect:
        form = await request.form()
        values: dict[str, Any] = form_values(form, ("titre", "debut", "fin", "lieu", "kind"))
        values["publique"] = form.get("publique") == "oui"
        try:
            meeting = await views.create_meeting(ctx_of(request), actor_of(request), council_id, _meeting_body(values))
        except DomainError as exc:
            return await self._page(request, council_id, erreurs=form_errors(exc), form=values, status=status_of(exc))
        return see_other(f"/reunions/{meeting.id}?ok=reunion-creee")


def _meeting_body(values: dict[str, Any]) -> ReunionCreate:
    data = {
        "titre": values.get("titre", ""),
        "debut": local_datetime(values.get("debut", ""), "debut", _("Début")),
        "fin": local_datetime(values.get("fin", ""), "fin", _("Fin")),
        "lieu": values.get("lieu", ""),
        "publique": bool(values.get("publique")),
    }
    if values.get("kind"):
        data["kind"] = values["kind"]
    return decode(ReunionCreate, data, _labels())


class MeetingPages(Controller):
    path = "/reunions/{reunion_id:int}"
    include_in_schema = False

    async def _page(self, request: Request[Any, Any, Any], reunion_id: int, status: int = 200, **forms: Any) -> Template:
        ctx = ctx_of(request)
        user = user_of(request)
        meeting = await views.meeting(ctx, reunion_id)
        council = await views.council(meeting.council_id)
        can_manage = await _can(request, Action.MANAGE_MEETINGS)
        items = await views.agenda(ctx, reunion_id)
        parents = [("", _("Point principal"))] + [
            (str(i.id), _("Sous-point de {n} {t}").format(n=i.numero, t=i.titre)) for i in items
            if i.numero.count(".") < 2
        ]
        member = await views.member_of(ctx, meeting.council_id, user.account_id)
        return render(
            request, "reunions/detail.html", status_code=status, titre=meeting.titre,
            reunion=meeting, conseil=council, onglets=tabs(reunion_id, can_manage),
            peut_gerer=can_manage, modifiable=meeting.status in EDITABLE,
            points=views.tree(items),
            pieces=await views.attachments_by_item(ctx, reunion_id),
            propositions=await views.proposals(ctx, meeting),
            peut_proposer=member is not None and meeting.status in EDITABLE,
            questions_en_attente=await views.pending_questions(ctx, meeting),
            urgence_motif=meeting.urgence_motif,
            parents=parents,
            erreurs_point=forms.get("erreurs_point", {}), form_point=forms.get("form_point", {}),
            erreurs_proposition=forms.get("erreurs_proposition", {}),
            form_proposition=forms.get("form_proposition", {}),
            erreurs_refus=forms.get("erreurs_refus", {}), refus_id=forms.get("refus_id"),
            erreurs_reunion=forms.get("erreurs_reunion", {}),
            form_reunion=forms.get("form_reunion") or {
                "titre": meeting.titre, "debut": for_input(meeting.debut), "fin": for_input(meeting.fin),
                "lieu": meeting.lieu, "publique": meeting.publique},
            erreurs_report=forms.get("erreurs_report", {}), form_report=forms.get("form_report", {}),
            message=forms.get("message"),
            fil=_fil(council, {"label": meeting.titre}),
        )

    @get("/", opt=allow(Action.READ_MEETINGS, "reunion_id"))
    async def detail(self, request: Request[Any, Any, Any], reunion_id: int) -> Template:
        return await self._page(request, reunion_id)

    # --- the meeting itself -----------------------------------------------------------

    @post("/modifier", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def edit(self, request: Request[Any, Any, Any], reunion_id: int) -> Template | Redirect:
        form = await request.form()
        values: dict[str, Any] = form_values(form, ("titre", "debut", "fin", "lieu", "kind", "version"))
        values["publique"] = form.get("publique") == "oui"
        try:
            await views.update_meeting(ctx_of(request), actor_of(request), reunion_id, values, _meeting_body(values))
        except DomainError as exc:
            return await self._page(request, reunion_id, status_of(exc), erreurs_reunion=form_errors(exc),
                                    form_reunion=values, message={"kind": "erreur", "text": exc.detail})
        return see_other(f"/reunions/{reunion_id}?ok=reunion-modifiee")

    @post("/annuler", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def cancel(self, request: Request[Any, Any, Any], reunion_id: int) -> Template | Redirect:
        values = form_values(await request.form(), ("version",))
        try:
            await views.cancel_meeting(ctx_of(request), actor_of(request), reunion_id, values["version"])
        except DomainError as exc:
            return await self._page(request, reunion_id, status_of(exc), message={"kind": "erreur", "text": exc.detail})
        return see_other(f"/reunions/{reunion_id}?ok=reunion-annulee")

    @post("/reporter", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def postpone(self, request: Request[Any, Any, Any], reunion_id: int) -> Template | Redirect:
        values = form_values(await request.form(), ("debut", "fin"))
        try:
            debut = local_datetime(values["debut"], "debut", _("Nouveau début"))
            fin = local_datetime(values["fin"], "fin", _("Nouvelle fin"))
            new = await views.postpone_meeting(ctx_of(request), actor_of(request), reunion_id, debut, fin)
        except DomainError as exc:
            return await self._page(request, reunion_id, status_of(exc), erreurs_report=form_errors(exc),
                                    form_report=values, message={"kind": "erreur", "text": exc.detail})
        return see_other(f"/reunions/{new.id}?ok=reunion-reportee")

    # --- agenda -----------------------------------------------------------------------

    @post("/points", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def add_item(self, request: Request[Any, Any, Any], reunion_id: int) -> Template | Redirect:
        values = form_values(await request.form(), ("titre", "parent_id", "rapporteur", "duree_minutes"))
        try:
            body = decode(PointCreate, {
                "titre": values["titre"],
                "parent_id": optional_int(values["parent_id"], "parent_id", _("Place")),
                "rapporteur": values["rapporteur"],
                "duree_minutes": optional_int(values["duree_minutes"], "duree_minutes", _("Durée prévue")),
            }, _labels())
            await views.add_item(ctx_of(request), actor_of(request), reunion_id, body)
        except DomainError as exc:
            return await self._page(request, reunion_id, status_of(exc), erreurs_point=form_errors(exc),
                                    form_point=values)
        return see_other(f"/reunions/{reunion_id}?ok=point-ajoute#ordre-du-jour")

    @post("/points/{point_id:int}/modifier", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def edit_item(self, request: Request[Any, Any, Any], reunion_id: int, point_id: int) -> Template | Redirect:
        values = form_values(await request.form(), ("titre", "rapporteur", "duree_minutes", "version"))
        try:
            await views.edit_item(ctx_of(request), actor_of(request), reunion_id, point_id, {
                "titre": values["titre"], "rapporteur": values["rapporteur"], "version": values["version"],
                "duree_minutes": optional_int(values["duree_minutes"], "duree_minutes", _("Durée prévue")),
            })
        except DomainError as exc:
            return await self._page(request, reunion_id, status_of(exc),
                                    message={"kind": "erreur", "text": exc.detail})
        return see_other(f"/reunions/{reunion_id}?ok=point-modifie#point-{point_id}")

    @post("/points/{point_id:int}/deplacer", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def move_item(self, request: Request[Any, Any, Any], reunion_id: int, point_id: int) -> Template | Redirect:
        values = form_values(await request.form(), ("sens", "version"))
        try:
            await views.move_item(ctx_of(request), actor_of(request), reunion_id, point_id,
                                  up=values["sens"] == "haut", version=values["version"])
        except DomainError as exc:
            return await self._page(request, reunion_id, status_of(exc),
                                    message={"kind": "erreur", "text": exc.detail})
        return see_other(f"/reunions/{reunion_id}?ok=point-deplace#point-{point_id}")

    @post("/points/{point_id:int}/supprimer", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def delete_item(self, request: Request[Any, Any, Any], reunion_id: int, point_id: int) -> Template | Redirect:
        values = form_values(await request.form(), ("version",))
        try:
            await views.delete_item(ctx_of(request), actor_of(request), reunion_id, point_id, values["version"])
        except DomainError as exc:
            return await self._page(request, reunion_id, status_of(exc),
                                    message={"kind": "erreur", "text": exc.detail})
        return see_other(f"/reunions/{reunion_id}?ok=point-supprime#ordre-du-jour")

    @post("/points/{point_id:int}/pieces", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def upload(self, request: Request[Any, Any, Any], reunion_id: int, point_id: int) -> Template | Redirect:
        form = await request.form()
        upload = form.get("fichier")
        try:
            data = await upload.read() if upload is not None and hasattr(upload, "read") else b""
            filename = getattr(upload, "filename", "") or ""
            content_type = getattr(upload, "content_type", "") or ""
            await views.attach(ctx_of(request), actor_of(request), reunion_id, point_id, filename, content_type, data)
        except DomainError as exc:
            return await self._page(request, reunion_id, status_of(exc),
                                    message={"kind": "erreur", "text": exc.detail})
        return see_other(f"/reunions/{reunion_id}?ok=piece-jointe#point-{point_id}")

    @get("/pieces/{piece_id:int}", opt=allow(Action.READ_MEETINGS, "reunion_id"))
    async def download(self, request: Request[Any, Any, Any], reunion_id: int, piece_id: int) -> Response[bytes]:
        piece, data = await views.attachment(ctx_of(request), reunion_id, piece_id)
        return Response(data, media_type=piece.content_type, headers={
            "Content-Disposition": f'attachment; filename="{piece.filename}"',
            "X-Content-Type-Options": "nosniff"})

    # --- members' proposals -----------------------------------------------------------

    # A member's proposal is a write the auditor (who reads meetings) must not make: the
    # route is open to signed-in accounts and the use case takes the member's own seat.
    @post("/propositions", opt=authenticated())
    async def propose(self, request: Request[Any, Any, Any], reunion_id: int) -> Template | Redirect:
        values = form_values(await request.form(), ("titre", "texte"))
        try:
            await views.propose(ctx_of(request), actor_of(request), user_of(request).account_id, reunion_id, values)
        except (Forbidden, NotFound):
            raise  # not the page of someone outside the council
        except DomainError as exc:
            return await self._page(request, reunion_id, status_of(exc), erreurs_proposition=form_errors(exc),
                                    form_proposition=values)
        return see_other(f"/reunions/{reunion_id}?ok=proposition-envoyee#propositions")

    @post("/propositions/{proposition_id:int}/accepter", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def accept(self, request: Request[Any, Any, Any], reunion_id: int, proposition_id: int) -> Template | Redirect:
        try:
            await views.decide_proposal(ctx_of(request), actor_of(request), reunion_id, proposition_id, True, "")
        except DomainError as exc:
            return await self._page(request, reunion_id, status_of(exc), message={"kind": "erreur", "text": exc.detail})
        return see_other(f"/reunions/{reunion_id}?ok=proposition-acceptee#propositions")

    @post("/propositions/{proposition_id:int}/refuser", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def refuse(self, request: Request[Any, Any, Any], reunion_id: int, proposition_id: int) -> Template | Redirect:
        values = form_values(await request.form(), ("reponse",))
        try:
            await views.decide_proposal(ctx_of(request), actor_of(request), reunion_id, proposition_id, False,
                                        values["reponse"])
        except DomainError as exc:
            return await self._page(request, reunion_id, status_of(exc), erreurs_refus=form_errors(exc),
                                    refus_id=proposition_id, message={"kind": "erreur", "text": exc.detail})
        return see_other(f"/reunions/{reunion_id}?ok=proposition-refusee#propositions")


def page_handlers() -> list[Any]:
    """Every page of the meetings feature (the feature declaration adds them to its routes)."""
    from service.reunions.pages_public import PUBLIC_PAGES
    from service.reunions.pages_seance import SEANCE_PAGES

    return [CouncilMeetingPages, MeetingPages, *SEANCE_PAGES, *PUBLIC_PAGES]

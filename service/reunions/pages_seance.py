"""Pages of a meeting's sitting: convocations, attendance and quorum (the tablet page),
second convocation, decisions with their votes, minutes (draft, adoption, publication,
new version)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template

from domain.access import Action, is_allowed
from domain.errors import DomainError
from domain.i18n import _
from domain.meetings import Meeting
from service.context import AppContext
from service.http.auth import allow
from service.http.common import actor_of, ctx_of, resource_scope_of, user_of
from service.http.errors import status_of
from service.http.forms import form_values, local_datetime, optional_int
from service.http.render import form_errors, render, see_other
from service.reunions import views, views_minutes
from service.reunions.pages_forms import tabs


async def _can(request: Request[Any, Any, Any], action: Action) -> bool:
    scope = resource_scope_of(request)
    return is_allowed(user_of(request).principal, action, scope)


def _err(exc: DomainError) -> dict[str, str]:
    return {"kind": "erreur", "text": exc.detail}


_TabView = Callable[[AppContext, Meeting], Awaitable[dict[str, Any]]]


def _shown(extra: dict[str, Any], **defaults: Any) -> dict[str, Any]:
    """The context a tab's template expects, from what a failed form passed (or the defaults)."""
    return {key: extra.get(key, default) for key, default in defaults.items()}


class SittingPages(Controller):
    path = "/reunions/{reunion_id:int}"
    include_in_schema = False

    async def _common(self, request: Request[Any, Any, Any], reunion_id: int) -> dict[str, Any]:
        meeting = await views.meeting(ctx_of(request), reunion_id)
        council = await views.council(meeting.council_id)
        can_manage = await _can(request, Action.MANAGE_MEETINGS)
        return {
            "reunion": meeting, "conseil": council, "peut_gerer": can_manage,
            "onglets": tabs(reunion_id, can_manage),
            "fil": [
                {"href": "/", "label": _("Tableau de bord")},
                {"href": f"/conseils/{council.id}", "label": council.name},
                {"href": f"/conseils/{council.id}/reunions/gestion", "label": _("Réunions")},
                {"href": f"/reunions/{reunion_id}", "label": meeting.titre},
            ],
        }

    async def _tab(self, request: Request[Any, Any, Any], reunion_id: int, title: str, template: str,
                   view: _TabView, status: int, context: dict[str, Any]) -> Template:
        """One tab of the sitting: the meeting's header and breadcrumb, the tab's view, and
        what the form being re-shown needs (errors, values, message)."""
        common = await self._common(request, reunion_id)
        common["fil"].append({"label": title})
        data = await view(ctx_of(request), common["reunion"])
        return render(request, template, status_code=status, titre=title, **common, **data, **context)

    # --- convocations -----------------------------------------------------------------

    async def _convocations(self, request: Request[Any, Any, Any], reunion_id: int, status: int = 200,
                            **extra: Any) -> Template:
        return await self._tab(request, reunion_id, _("Convocations"), "reunions/convocations.html", views.convocations,
                               status, _shown(extra, form={}, erreurs={}, refus=None, message=None))

    @get("/convocations", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def convocations(self, request: Request[Any, Any, Any], reunion_id: int) -> Template:
        return await self._convocations(request, reunion_id)

    @post("/convocations", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def send(self, request: Request[Any, Any, Any], reunion_id: int) -> Template | Redirect:
        form = await request.form()
        values: dict[str, Any] = form_values(form, ("motif",))
        values["urgence"] = form.get("urgence") == "oui"
        try:
            await views.send_convocations(ctx_of(request), actor_of(request), reunion_id, values["urgence"],
                                          values["motif"])
        except DomainError as exc:
            refus = None
            if exc.code == "delai-convocation":
                refus = {"titre": _("Délai de convocation non respecté"), "texte": exc.detail,
                         "jours_francs": exc.extra.get("jours_francs"), "requis": exc.extra.get("requis")}
            return await self._convocations(request, reunion_id, status_of(exc), form=values,
                                            erreurs=form_errors(exc) if refus is None else {}, refus=refus,
                                            message=None if refus else _err(exc))
        return see_other(f"/reunions/{reunion_id}/convocations?ok=convocations-envoyees")

    @post("/convocations/postees", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def posted(self, request: Request[Any, Any, Any], reunion_id: int) -> Template | Redirect:
        try:
            await views.mark_posted(ctx_of(request), actor_of(request), reunion_id)
        except DomainError as exc:
            return await self._convocations(request, reunion_id, status_of(exc), message=_err(exc))
        return see_other(f"/reunions/{reunion_id}/convocations?ok=convocations-postees")

    @get("/convocations/{convocation_id:int}/pdf", opt=allow(Action.READ_MEETINGS, "reunion_id"))
    async def pdf(self, request: Request[Any, Any, Any], reunion_id: int, convocation_id: int) -> Response[bytes]:
        """One convocation: the secretary reads any, a member only their own."""
        own = None if await _can(request, Action.MANAGE_MEETINGS) else user_of(request).account_id
        data = await views.convocation_pdf(ctx_of(request), reunion_id, convocation_id, own)
        return Response(data, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="convocation-{reunion_id}-{convocation_id}.pdf"',
            "Cache-Control": "no-store"})

    # --- attendance -------------------------------------------------------------------

    async def _attendance(self, request: Request[Any, Any, Any], reunion_id: int, status: int = 200,
                          **extra: Any) -> Template:
        return await self._tab(request, reunion_id, _("Émargement"), "reunions/presences.html", views.attendance, status,
                               _shown(extra, erreurs={}, erreurs_seconde={}, form_seconde={}, message=None))

    @get("/presences", opt=allow(Action.READ_MEETINGS, "reunion_id"))
    async def presences(self, request: Request[Any, Any, Any], reunion_id: int) -> Template:
        return await self._attendance(request, reunion_id)

    @post("/presences/{membre_id:int}", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def record(self, request: Request[Any, Any, Any], reunion_id: int, membre_id: int) -> Template | Redirect:
        values = form_values(await request.form(), ("etat",))
        try:
            await views.record_presence(ctx_of(request), actor_of(request), reunion_id, membre_id, values["etat"])
        except DomainError as exc:
            return await self._attendance(request, reunion_id, status_of(exc), erreurs=form_errors(exc))
        return see_other(f"/reunions/{reunion_id}/presences?ok=presence#membre-{membre_id}")

    @post("/pouvoirs/{membre_id:int}", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def proxy(self, request: Request[Any, Any, Any], reunion_id: int, membre_id: int) -> Template | Redirect:
        values = form_values(await request.form(), ("porteur_id",))
        try:
            holder = optional_int(values["porteur_id"], "porteur_id", _("Pouvoir à"))
            await views.give_proxy(ctx_of(request), actor_of(request), reunion_id, membre_id, holder)
        except DomainError as exc:
            return await self._attendance(request, reunion_id, status_of(exc), erreurs=form_errors(exc))
        return see_other(f"/reunions/{reunion_id}/presences?ok=pouvoir#membre-{membre_id}")

    @post("/cloturer", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def close(self, request: Request[Any, Any, Any], reunion_id: int) -> Template | Redirect:
        try:
            await views.close_attendance(ctx_of(request), actor_of(request), reunion_id)
        except DomainError as exc:
            return await self._attendance(request, reunion_id, status_of(exc), message=_err(exc))
        return see_other(f"/reunions/{reunion_id}/presences?ok=emargement-clos#quorum")

    @post("/seconde-convocation", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def second(self, request: Request[Any, Any, Any], reunion_id: int) -> Template | Redirect:
        values = form_values(await request.form(), ("debut", "fin"))
        try:
            debut = local_datetime(values["debut"], "debut", _("Début"))
            fin = local_datetime(values["fin"], "fin", _("Fin"))
            new = await views.second_convocation(ctx_of(request), actor_of(request), reunion_id, debut, fin)
        except DomainError as exc:
            return await self._attendance(request, reunion_id, status_of(exc), erreurs_seconde=form_errors(exc),
                                          form_seconde=values)
        return see_other(f"/reunions/{new.id}?ok=seconde-creee")

    # --- decisions --------------------------------------------------------------------

    async def _decisions(self, request: Request[Any, Any, Any], reunion_id: int, status: int = 200,
                         **extra: Any) -> Template:
        return await self._tab(request, reunion_id, _("Décisions"), "reunions/decisions.html", views.decisions, status,
                               _shown(extra, erreurs={}, erreur_point=None, message=None))

    @get("/decisions", opt=allow(Action.READ_MEETINGS, "reunion_id"))
    async def decisions(self, request: Request[Any, Any, Any], reunion_id: int) -> Template:
        return await self._decisions(request, reunion_id)

    @post("/points/{point_id:int}/decision", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def decide(self, request: Request[Any, Any, Any], reunion_id: int, point_id: int) -> Template | Redirect:
        form = await request.form()
        values: dict[str, Any] = form_values(form, ("texte", "pour", "contre", "abstention"))
        consensus = form.get("consensus") == "oui"
        try:
            counts = {k: optional_int(values[k], k, label) for k, label in
                      (("pour", _("Pour")), ("contre", _("Contre")), ("abstention", _("Abstention")))}
            await views.record_decision(ctx_of(request), actor_of(request), reunion_id, point_id, values["texte"],
                                        consensus, counts)
        except DomainError as exc:
            return await self._decisions(request, reunion_id, status_of(exc), erreurs=form_errors(exc),
                                         erreur_point=point_id)
        return see_other(f"/reunions/{reunion_id}/decisions?ok=decision#decision-{point_id}")

    # --- minutes ----------------------------------------------------------------------

    async def _minutes(self, request: Request[Any, Any, Any], reunion_id: int, status: int = 200,
                       **extra: Any) -> Template:
        return await self._tab(request, reunion_id, _("Compte rendu"), "reunions/compte_rendu.html", views_minutes.minutes, status,
                               _shown(extra, erreurs={}, form={}, message=None))

    @get("/compte-rendu", opt=allow(Action.READ_MEETINGS, "reunion_id"))
    async def minutes(self, request: Request[Any, Any, Any], reunion_id: int) -> Template:
        return await self._minutes(request, reunion_id)

    async def _minutes_action(self, request: Request[Any, Any, Any], reunion_id: int, flash: str,
                              action: Any) -> Template | Redirect:
        form = await request.form()
        values = form_values(form)
        try:
            await action(ctx_of(request), actor_of(request), reunion_id, values)
        except DomainError as exc:
            return await self._minutes(request, reunion_id, status_of(exc), erreurs=form_errors(exc), form=values,
                                       message=_err(exc))
        return see_other(f"/reunions/{reunion_id}/compte-rendu?ok={flash}")

    @post("/compte-rendu", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def draft(self, request: Request[Any, Any, Any], reunion_id: int) -> Template | Redirect:
        return await self._minutes_action(request, reunion_id, "cr-cree", views_minutes.draft_minutes)

    @post("/compte-rendu/texte", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def save(self, request: Request[Any, Any, Any], reunion_id: int) -> Template | Redirect:
        return await self._minutes_action(request, reunion_id, "cr-enregistre", views_minutes.save_minutes)

    @post("/compte-rendu/adopter", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def adopt(self, request: Request[Any, Any, Any], reunion_id: int) -> Template | Redirect:
        return await self._minutes_action(request, reunion_id, "cr-adopte", views_minutes.adopt_minutes)

    @post("/compte-rendu/publier", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def publish(self, request: Request[Any, Any, Any], reunion_id: int) -> Template | Redirect:
        return await self._minutes_action(request, reunion_id, "cr-publie", views_minutes.publish_minutes)

    @post("/compte-rendu/nouvelle-version", opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def correct(self, request: Request[Any, Any, Any], reunion_id: int) -> Template | Redirect:
        return await self._minutes_action(request, reunion_id, "cr-version", views_minutes.correct_minutes)


SEANCE_PAGES = [SittingPages]
